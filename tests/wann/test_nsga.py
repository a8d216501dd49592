"""NSGA-II fronts, crowding distance and ranking."""

import numpy as np
import pytest

from scratchnn.wann.nsga import crowding_distance, nondominated_fronts, nsga_rank


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
