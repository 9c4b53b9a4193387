"""Engine docs and threads: freed without the cycle collector, and never used off their thread."""

from __future__ import annotations

import gc
import threading
import weakref

import crdt.ypydoc as ypydoc_module
from crdt.engine import Engine, get_engine, release_orphans


def test_docs_are_freed_without_the_cycle_collector(engine: Engine) -> None:
    # The cycle collector may run on any thread, and a y-py doc dropped off its own panics.
    source, doc = engine.new_doc(1), engine.new_doc(2)
    doc.apply_update_delta(source.edit([(0, 0, "x")]))
    doc.edit([(0, 0, "y")])
    doc.encode_diff(doc.state_vector())
    alive = weakref.ref(doc)
    gc.disable()
    try:
        del doc
        assert alive() is None
    finally:
        gc.enable()


def test_ypy_doc_in_a_cycle_collected_on_another_thread_is_dropped_on_its_own() -> None:
    # pytest turns y-py's "dropped on another thread" report into a failure of this test.
    gc.collect()  # earlier garbage goes here, so the other thread below finds only this
    update = get_engine("y-py").new_doc(2).edit([(0, 0, "kept")])
    doc = get_engine("y-py").new_doc(1)
    doc.apply_update(update)
    cycle: list[object] = [doc]
    cycle.append(cycle)
    gc.disable()
    try:
        del doc, cycle
        collector = threading.Thread(target=gc.collect)
        collector.start()
        collector.join()
        parked = ypydoc_module._orphans.get(threading.current_thread(), [])
        assert [str(parts["_text"]) for parts in parked] == ["kept"]  # for this thread to drop
        release_orphans()
        assert threading.current_thread() not in ypydoc_module._orphans
    finally:
        gc.enable()


def test_ypy_doc_refuses_other_threads() -> None:
    doc = get_engine("y-py").new_doc(1)
    update = get_engine("y-py").new_doc(2).edit([(0, 0, "x")])
    errors: list[BaseException] = []

    def touch() -> None:
        try:
            doc.apply_update(update)
        except BaseException as exc:  # a pyo3 panic is a BaseException; see it, do not lose it
            errors.append(exc)

    thread = threading.Thread(target=touch)
    thread.start()
    thread.join()
    assert len(errors) == 1 and isinstance(errors[0], RuntimeError)
    assert "another thread" in str(errors[0])
    doc.apply_update(update)
    assert doc.text() == "x"
