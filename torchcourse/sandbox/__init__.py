"""The grading sandbox: kernels that see nothing of the course and cannot reach the grader.

``SandboxKernelManager`` (``kernel``) is what the course's Execute preprocessor, the
reference recording and the tests use; ``outer`` builds the bubblewrap command and
``zygote`` is the process inside it that forks kernels.
"""
from .kernel import SandboxKernelManager, Zygote, check
from .outer import SandboxUnavailable

__all__ = ["SandboxKernelManager", "SandboxUnavailable", "Zygote", "check"]
