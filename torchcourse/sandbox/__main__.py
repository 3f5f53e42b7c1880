"""``python -m torchcourse.sandbox --socket PATH | --single``: the zygote (see ``zygote``)."""
from .zygote import main

main()
