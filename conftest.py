"""Names the docstring examples under focuskit/ share (pytest --doctest-modules): ``store``, an
in-memory store holding the demo organisation; ``responses``, its focus-levels answers; and
``base``, the demo benchmark base. Figures an example draws are closed after it."""

import pytest


@pytest.fixture(scope="session")
def _demo_store():
    from focuskit import Store
    from focuskit.demo import seed_store

    store = Store("sqlite:///:memory:")
    seed_store(store)
    yield store
    store.close()


@pytest.fixture(autouse=True)
def _doctest_names(request):
    if not isinstance(request.node, pytest.DoctestItem):
        yield
        return
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from focuskit.demo import benchmark_rows

    store = request.getfixturevalue("_demo_store")
    names = request.getfixturevalue("doctest_namespace")
    names.update(store=store, responses=store.responses("demo-focus-levels"),
                 base=pd.DataFrame(benchmark_rows()))
    yield
    plt.close("all")
