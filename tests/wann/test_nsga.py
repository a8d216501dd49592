"""NSGA-II fronts, crowding distance and ranking."""

import numpy as np
import pytest

from scratchnn.wann.search.nsga import crowding_distance, nondominated_fronts, nsga_rank


def test_nsga_fronts_and_crowding_on_hand_made_points():
    F = np.array(
        [
            [1.0, 5.0],  # 0: front 0
            [2.0, 4.0],  # 1: front 0
            [4.0, 1.0],  # 2: front 0
            [1.0, 4.0],  # 3: dominated by 0 and 1 -> front 1
            [3.0, 0.5],  # 4: dominated by 2 -> front 1
            [0.5, 0.5],  # 5: dominated by all but ... -> front 2
        ]
    )
    fronts = nondominated_fronts(F)
    assert [sorted(f.tolist()) for f in fronts] == [[0, 1, 2], [3, 4], [5]]
    cd = crowding_distance(F[[0, 1, 2]])
    # objective 0 sorted: 0(1), 1(2), 2(4): gap for 1 = (4-1)/3; objective 1: 2(1), 1(4), 0(5):
    # gap for 1 = (5-1)/4
    assert np.isinf(cd[0]) and np.isinf(cd[2]) and cd[1] == pytest.approx(1.0 + 1.0)
    order = nsga_rank(F)
    assert set(order[:3]) == {0, 1, 2} and order[-1] == 5
    assert order[2] == 1  # inside front 0 the crowded middle point comes last


def test_reference_crowding_scales_by_the_slip_and_can_reorder_a_front():
    # one front (mean fitness up, 1/connections down): A, B, C, D
    F = np.array([[100.0, 1.0], [200.0, 0.99], [300.0, 0.5], [310.0, 0.01]])
    assert len(nondominated_fronts(F)) == 1
    std = crowding_distance(F)
    ref = crowding_distance(F, "reference")
    # NSGA-II: gaps over the range; B = 200/210 + 0.5/0.99, C = 110/210 + 0.98/0.99
    assert std[1] == pytest.approx(200 / 210 + 0.5 / 0.99)
    assert std[2] == pytest.approx(110 / 210 + 0.98 / 0.99)
    # WANNRelease: gaps times |1/max - min|; objective 0's factor is |1/310 - 100|
    assert ref[1] == pytest.approx(200 * abs(1 / 310 - 100) + 0.5 * abs(1 / 1.0 - 0.01))
    assert ref[2] == pytest.approx(110 * abs(1 / 310 - 100) + 0.98 * abs(1 / 1.0 - 0.01))
    assert np.isinf(std[[0, 3]]).all() and np.isinf(ref[[0, 3]]).all()
    assert nsga_rank(F)[2:].tolist() == [2, 1]  # C is less crowded by NSGA-II's measure
    assert nsga_rank(F, "reference")[2:].tolist() == [1, 2]  # B by the reference's
    with pytest.raises(ValueError, match="crowding must be one of"):
        nsga_rank(F, "deb")


def test_the_crowding_key_is_checked_and_changes_the_search():
    from scratchnn.errors import ConfigError
    from scratchnn.wann.search.config import config_from_dict
    from scratchnn.wann.search.loop import run_search
    from scratchnn.wann.tasks import SwingUpTask

    with pytest.raises(ConfigError, match="crowding must be one of nsga2, reference"):
        config_from_dict({"crowding": "deb"})
    task = SwingUpTask(steps=100)
    runs = {}
    for crowding in ("nsga2", "reference"):
        cfg = config_from_dict(
            {"pop": 64, "generations": 3, "reps": 1, "tournament": 4, "seed": 3,
             "crowding": crowding}
        )  # fmt: skip
        state = run_search(task, cfg, log=None)
        runs[crowding] = [g.to_dict() for g in state.pop.genomes()]
    # fronts of one or two networks are all extremes (inf): it takes a population to differ
    assert runs["nsga2"] != runs["reference"]
