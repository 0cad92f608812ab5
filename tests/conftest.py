"""Shared fixtures: a fresh store on SQLite and, where configured, on PostgreSQL.

PostgreSQL tests run when FOCUSKIT_TEST_PG_URL is set (``.ci/run`` sets it); each test gets
its own schema, dropped afterwards. When the URL is set and the server does not answer, the
tests fail rather than skip, so CI cannot pass without having run them.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import pytest

from focuskit import testing
from focuskit.testing import (
    Served,
    free_port,  # noqa: F401 - tests take it from here too
    stop_server,
)

PG_ENV = "FOCUSKIT_TEST_PG_URL"
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
_pg_tally = {"passed": 0, "skipped": 0}


def pytest_configure(config):
    # Notebooks run by nbmake (and Voila servers started by tests) read the store named by
    # FOCUSKIT_DB_URL: point it at a throwaway copy of the demo data, never at data/.
    if not os.environ.get("FOCUSKIT_DB_URL"):
        from focuskit import Store
        from focuskit.demo import seed_store

        tmp = tempfile.mkdtemp(prefix="focuskit-test-")
        config._focuskit_tmp = tmp
        url = f"sqlite:///{tmp}/demo.db"
        with Store(url) as store:
            seed_store(store)
        os.environ["FOCUSKIT_DB_URL"] = url
    ARTIFACTS.mkdir(exist_ok=True)
    # Registered as a plugin, so that its fixture also reaches the docstring examples under
    # focuskit/ (a conftest.py at the project root would shadow this one in subprocesses).
    config.pluginmanager.register(DoctestNames(), "focuskit-doctest-names")


class DoctestNames:
    """Names the docstring examples under focuskit/ share (--doctest-modules): ``store``, an
    in-memory store holding the demo organisation; ``responses``, its focus-levels answers;
    ``base``, the demo benchmark base. Figures an example draws are closed after it."""

    @pytest.fixture(scope="session")
    def _demo_store(self):
        from focuskit import Store
        from focuskit.demo import seed_store

        store = Store("sqlite:///:memory:")
        seed_store(store)
        yield store
        store.close()

    @pytest.fixture(autouse=True)
    def _doctest_names(self, request):
        if not isinstance(request.node, pytest.DoctestItem):
            yield
            return
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import pandas as pd

        from focuskit.demo import benchmark_rows

        store = request.getfixturevalue("_demo_store")
        request.getfixturevalue("doctest_namespace").update(
            store=store, responses=store.responses("demo-focus-levels"),
            base=pd.DataFrame(benchmark_rows()))
        yield
        plt.close("all")


def pytest_unconfigure(config):
    tmp = getattr(config, "_focuskit_tmp", None)
    if tmp:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


def pytest_runtest_logreport(report):
    if "postgres" not in report.keywords:
        return
    if report.skipped:
        _pg_tally["skipped"] += 1
    elif report.when == "call" and report.passed:
        _pg_tally["passed"] += 1


def pytest_sessionfinish(session, exitstatus):
    # .ci/run reads this to prove that the PostgreSQL tests ran rather than skipped.
    (ARTIFACTS / "postgres-tests.txt").write_text(f"{_pg_tally['passed']} {_pg_tally['skipped']}\n")


def pytest_terminal_summary(terminalreporter):
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "browser" in r.keywords]
    if skipped:
        terminalreporter.write_sep("!", f"{len(skipped)} BROWSER TEST(S) SKIPPED: no Chromium",
                                   red=True, bold=True)
        terminalreporter.write_line("Install Debian's chromium (make test does so as root), or "
                                    "set FOCUSKIT_CHROMIUM to a Chromium binary.")


def pg_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'focuskit.db'}"


@pytest.fixture
def pg_schema_url():
    """A PostgreSQL URL whose search_path is a new, empty schema; dropped after the test."""
    base = pg_url()
    if base is None:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1/test)")
    import sqlalchemy as sa

    from focuskit.store.engine import make_engine

    schema = f"fk_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:  # fails loudly when the server does not answer
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request):
    """Each store test runs on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_schema_url")


@pytest.fixture
def store(db_url):
    from focuskit import Store

    s = Store(db_url)
    yield s
    s.close()


def full_answers(instrument, value=3):
    """A complete submission for ``instrument``: every facet of every item answered."""
    out = {}
    for item in instrument.items:
        out[item.id] = {}
        for f in item.facets:
            vals = instrument.facet(f).scale.values
            out[item.id][f] = value if value in vals else vals[0]
    return out


def signed_link(store, campaign, group=None, segment=None, *, visit=False, personal=False):
    """A Link as focuskit hands it out, signed with ``store``'s secret (Store or RespondentStore).

    Plain: a shared link. ``visit``: a shared link as reopened by the browser it gave a code to.
    ``personal``: a personal link with its own code (for a campaign with personal links).
    """
    from focuskit.links import Link, new_code, sign_link

    secret = store.link_secret()
    code = new_code(secret, campaign, group, segment, personal=personal) \
        if visit or personal else None
    sig = sign_link(secret, campaign, group, segment, code if personal else None)
    return Link(campaign, group, segment, code, sig)


def signed_query(store, campaign, group=None, segment=None, **kwargs) -> str:
    """``signed_link`` as the query string of a questionnaire URL."""
    return signed_link(store, campaign, group, segment, **kwargs).query()


# -- browser tests ---------------------------------------------------------------------------
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright; skips loudly without it (fails under CI=true)."""
    exe = os.environ.get("FOCUSKIT_CHROMIUM", "/usr/bin/chromium")
    why = None
    if not Path(exe).exists():
        why = f"no Chromium at {exe}"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            why = "the playwright package is not installed"
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run under CI, but {why}")
        pytest.skip(why)
    from playwright.sync_api import expect

    # expect() waits for what it checks; 5 s is too short for a kernel on two busy cores.
    expect.set_options(timeout=60_000)
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_FLAGS, headless=True)
    yield browser
    browser.close()
    pw.stop()


def start_serve(procs: list, env: dict | None = None, args: tuple = (),
                timeout: float = 120) -> Served:
    """Start ``focuskit serve`` on two free ports (``focuskit.testing``), its log among the
    test artifacts; ``procs`` collects it for ``stop_serve``."""
    served = testing.start_serve(args, env, log_dir=ARTIFACTS, cwd=ROOT, timeout=timeout)
    procs.append(served.proc)
    return served


def stop_serve(procs: list) -> None:
    for proc in procs:
        stop_server(proc)


@pytest.fixture
def voila_server():
    """Start ``focuskit serve`` (what ``make demo`` runs; both doors) on free ports. Call it
    with the env (and extra ``focuskit serve`` arguments); returns a :class:`Served`."""
    procs: list = []
    yield lambda env=None, args=(), timeout=120: start_serve(procs, env, args, timeout)
    stop_serve(procs)


# -- one server for a whole test module -----------------------------------------------------------
@pytest.fixture(scope="module")
def voila_module_server():
    """``voila_server`` shared by a whole test module: Voila with its preheated kernels takes
    10 s or more to start on two busy cores."""
    procs: list = []
    yield lambda env=None, args=(), timeout=120: start_serve(procs, env, args, timeout)
    stop_serve(procs)
