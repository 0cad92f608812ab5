"""What a phone shows of the dashboard's plots: "Larger plots" draws each plot 540 px wide in
a frame about 358 px wide (the dashboard's style.css), panned from its left edge. Each plot's
key must lie within that first view, or the reader sees marks without knowing what they are."""

import matplotlib
import pytest

from focuskit import Store
from focuskit.apps.dashboard.state import DashboardState
from focuskit.apps.dashboard.tabs import TABS

matplotlib.use("Agg")
SHOWN = 358 / 540  # the share of a larger plot's width a 390 px phone shows at first


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from focuskit.demo import seed_store

    store = Store(f"sqlite:///{tmp_path_factory.mktemp('phone') / 'demo.db'}")
    seed_store(store)
    yield store
    store.close()


def test_every_key_is_in_the_first_view_of_a_larger_plot(demo):
    import matplotlib.pyplot as plt

    seen = 0
    for camp in demo.campaigns():
        state = DashboardState(demo, camp.id)
        for tab in TABS:
            if not state.applies(tab.key):
                continue
            for part in tab.draw(state):
                if isinstance(part, str):
                    continue
                fig = part.figure
                fig.canvas.draw()
                key = part.get_legend() or (fig.legends[0] if fig.legends else None)
                if key is not None:
                    right = key.get_window_extent().x1 / fig.bbox.width
                    assert right <= SHOWN, (camp.id, tab.key, round(right, 2))
                    seen += 1
                plt.close(fig)
    assert seen >= 6
