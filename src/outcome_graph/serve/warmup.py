"""What `serve` does in the background once it answers, so that no first page pays for it: the imports
and ontology tables pages need, the vocabulary's labels, pySHACL, and the search index.

Pages wait (a before_request hook) only for the first step: the modules every page may import (rdflib's
SPARQL engine, networkx) and the ontology's units and labels. rdflib's SPARQL engine and networkx import
themselves in circles, so a request thread importing one while the warm-up thread does would get a
partially initialised module (ImportError, a 500). That step is short (about a second; the ontology is
read by Oxigraph, ontology_rows.py, not by rdflib's parser, which took seconds). pySHACL is imported after
the gate opens, under the validator's own import lock (validate.engine.import_pyshacl), which a validation
asked meanwhile also takes; with the results kept beside the store (validate/stored.py) a page rarely
needs it. The SPARQL endpoint's fast path waits for nothing.
"""

from __future__ import annotations

import importlib
import threading

PAGE_MODULES = ("rdflib.plugins.sparql", "networkx")


def _preload(store) -> None:
    """What any page may import or read first: the modules, the ontology's units and labels."""
    from ..labels import from_ontology
    from ..units import units

    for name in PAGE_MODULES:
        importlib.import_module(name)
    units()
    from_ontology()  # the words a trace's picture and sentences use


def _after(store) -> None:
    """What only some pages need, after the gate has opened: the store's labels, the list of reports
    (every council's page reads it first: 0.3-0.5 s at 10 M triples), the shared triples a council's
    counts are asked with (query_layer.local), pySHACL, the index, the triple count of /sparql's
    service description."""
    from ..labels import for_store
    from ..query_layer.local import preload
    from ..query_layer.remote_index import index_of
    from ..query_layer.scope import report_index
    from ..validate.engine import import_pyshacl
    from .sparql import triple_count

    steps = (for_store, report_index, lambda _: preload(), lambda _: import_pyshacl(), index_of, triple_count)
    for step in steps:
        try:
            step(store)
        except Exception:  # noqa: BLE001 - a failed warm-up is redone by the first request, which reports it
            pass


_PRELOADING = threading.Event()  # a warm-up started (in this process)
_PRELOADED = threading.Event()  # and its page imports are done


def wait_for_preload(timeout: float = 120.0) -> None:
    """Wait, if a warm-up is importing what pages import, until it is done (see the module's docstring).
    The server asks this before every page but the SPARQL endpoint's own fast path."""
    if _PRELOADING.is_set():
        _PRELOADED.wait(timeout)


def warm(store) -> threading.Thread:
    """Starts the warm-up in the background (the server does this at start)."""

    def run() -> None:
        try:
            _preload(store)
        except Exception:  # noqa: BLE001 - a failed import is met again, and reported, by the page needing it
            pass
        finally:
            _PRELOADED.set()
        _after(store)

    _PRELOADING.set()
    thread = threading.Thread(target=run, name="warm-up", daemon=True)
    thread.start()
    return thread
