"""What a grading process changes in nbgrader and nbformat: the same results, less CPU.

Each function replaces one costly step by an equivalent one; ``apply`` makes them all.
Measured on 00: a grading process's CPU per notebook fell from 0.47 s to about 0.33 s.
The last two make feedback pages faster (nbconvert's HTML exporter).
"""


def apply():
    """Every speed-up of this module, once per process."""
    share_database_engines()
    cache_metadata_validator()
    compile_output_schemas()
    alembic_head_in_process()
    share_compiled_templates()
    remember_highlighting()


def share_database_engines():
    """One SQLAlchemy engine per gradebook URL in this process, not one per ``Gradebook``.

    nbgrader opens the gradebook several times per notebook, each time with an engine of
    its own that compiles every query again; a shared engine keeps its compiled queries
    (closing a Gradebook still returns its connections: ``dispose`` makes a fresh pool).
    Each Gradebook also makes sure every table exists (a query per table): once per
    engine is enough, nothing drops them.
    """
    import nbgrader.api
    from sqlalchemy import create_engine

    if getattr(nbgrader.api.create_engine, "shared", False):
        return
    engines, checked = {}, set()
    metadata = nbgrader.api.Base.metadata
    create_all = metadata.create_all

    def shared(url, **kwargs):
        key = (str(url), tuple(sorted(kwargs.items())))
        if key not in engines:
            engines[key] = create_engine(url, **kwargs)
        return engines[key]

    def create_tables(bind, **kwargs):
        if kwargs or id(bind) not in checked:
            create_all(bind=bind, **kwargs)
            if any(bind is e for e in engines.values()):  # kept: its id stays its own
                checked.add(id(bind))

    shared.shared = True
    nbgrader.api.create_engine = shared
    metadata.create_all = create_tables


def cache_metadata_validator():
    """One jsonschema validator for nbgrader's cell metadata, not one per cell.

    nbgrader validates each cell's metadata with ``jsonschema.validate``, which first
    checks the schema itself (nbgrader's own file, valid) and builds a validator: most
    of the time of its CheckCellMetadata and of its gradebook updates.
    """
    from types import SimpleNamespace

    import jsonschema
    from jsonschema.exceptions import best_match
    from nbgrader.nbgraderformat import common

    if isinstance(common.jsonschema, SimpleNamespace):
        return
    validators = {}

    def validate(instance, schema):
        if id(schema) not in validators:
            cls = jsonschema.validators.validator_for(schema)
            validators[id(schema)] = (schema, cls(schema))  # the schema kept: ids stay unique
        error = best_match(validators[id(schema)][1].iter_errors(instance))
        if error is not None:
            raise error

    common.jsonschema = SimpleNamespace(validate=validate)


def compile_output_schemas():
    """nbformat's schema of each output type compiled (fastjsonschema), as for notebooks.

    nbclient builds each output the kernel sends with nbformat's ``new_output``, which
    validates it against its part of the schema with jsonschema, interpreted. A compiled
    validator decides the same; for an invalid output nbformat's own check runs, so its
    error is the one raised.
    """
    import fastjsonschema
    from nbformat.v4 import nbbase
    from nbformat.validator import get_validator

    original = nbbase.validate
    if getattr(original, "compiled", False):
        return
    compiled = {}

    def validate(node, ref=None):
        if ref is None:
            return original(node, ref)
        if ref not in compiled:
            schema = get_validator(4)._schema
            compiled[ref] = fastjsonschema.compile(
                {"$schema": schema["$schema"], "definitions": schema["definitions"],
                 "$ref": f"#/definitions/{ref}"})
        try:
            compiled[ref](node)
        except fastjsonschema.JsonSchemaException:
            return original(node, ref)
        return None

    validate.compiled = True
    nbbase.validate = validate


def alembic_head_in_process():
    """The gradebook schema's alembic revision read here, once, not by an `alembic` process.

    A new gradebook is stamped with it: nbgrader runs `alembic heads` for each one, a
    Python process that costs 2.3 CPU-s. Its migration scripts are read here instead, with
    alembic's own ScriptDirectory, as that command reads them (one head: else nbgrader's
    own way).
    """
    import functools

    import nbgrader.api

    original = nbgrader.api.get_alembic_version
    if getattr(original, "in_process", False):
        return

    @functools.cache
    def head():
        from alembic.config import Config
        from alembic.script import ScriptDirectory
        from nbgrader.dbutil import _temp_alembic_ini

        with _temp_alembic_ini("sqlite:////tmp/gradebook.db") as ini:
            heads = ScriptDirectory.from_config(Config(ini)).get_heads()
        return heads[0] if len(heads) == 1 else original()

    head.in_process, head.original = True, original
    nbgrader.api.get_alembic_version = head


def share_compiled_templates():
    """nbconvert's Jinja templates compiled once per process, not once per page.

    Each feedback page is made by a new exporter with a Jinja environment of its own,
    which parses and compiles every template again (a fifth of a page's CPU). A shared
    bytecode cache keeps the compiled code, keyed by template name and file and checked
    against the template's source, as Jinja's own file cache is.
    """
    from jinja2 import BytecodeCache
    from nbconvert.exporters.templateexporter import TemplateExporter

    original = TemplateExporter._create_environment
    if getattr(original, "shared_cache", False):
        return

    class MemoryCache(BytecodeCache):
        def __init__(self):
            self.codes = {}

        def load_bytecode(self, bucket):
            if bucket.key in self.codes:
                bucket.bytecode_from_string(self.codes[bucket.key])

        def dump_bytecode(self, bucket):
            self.codes[bucket.key] = bucket.bytecode_to_string()

    cache = MemoryCache()

    def create_environment(self):
        environment = original(self)
        environment.bytecode_cache = cache
        return environment

    create_environment.shared_cache, create_environment.original = True, original
    TemplateExporter._create_environment = create_environment


def remember_highlighting(size=2048, longest=20_000):
    """Each cell's highlighted HTML made once per process: the same code in every page.

    A class's feedback pages show the same cells (instructions, tests) again and again;
    Pygments highlights each anew. The HTML depends only on the source, its language,
    the cell's metadata (a magic's language) and the formatter's options: the key. At most
    ``size`` cells are kept, none longer than ``longest`` characters (a submission's huge
    cells would only fill the grading process's memory).
    """
    import json
    import threading
    from collections import OrderedDict

    from nbconvert.filters.highlight import Highlight2HTML

    original = Highlight2HTML.__call__
    if getattr(original, "remembered", False):
        return
    seen, lock = OrderedDict(), threading.Lock()

    def call(self, source, language=None, metadata=None):
        if len(source) > longest:
            return original(self, source, language, metadata)
        key = (source, language or self.pygments_lexer,
               json.dumps(metadata, sort_keys=True, default=repr),
               json.dumps(self.extra_formatter_options, sort_keys=True, default=repr))
        with lock:
            if key in seen:
                seen.move_to_end(key)
                return seen[key]
        html = original(self, source, language, metadata)
        with lock:
            seen[key] = html
            if len(seen) > size:
                seen.popitem(last=False)
        return html

    call.remembered, call.original = True, original
    Highlight2HTML.__call__ = call
