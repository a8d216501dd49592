import os
import pickle

import numpy as np
import pytest

from scratchnn.data.safe_pickle import restricted_loads
from scratchnn.errors import DataError


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_numpy_arrays_load():
    obj = ((np.arange(6, dtype=np.float32).reshape(2, 3), np.array([1, 2])), "meta")
    out = restricted_loads(pickle.dumps(obj, protocol=4))
    assert np.array_equal(out[0][0], obj[0][0]) and out[0][0].dtype == np.float32
    assert out[1] == "meta"


@pytest.mark.parametrize(
    "payload",
    [_Evil(), {"f": print}, np.random.default_rng(0), [1, 2, {3, 4}.__class__]],
)
def test_any_other_global_is_refused(payload):
    blob = pickle.dumps(payload, protocol=2)
    with pytest.raises(DataError, match="refusing to unpickle global"):
        restricted_loads(blob)


def test_malformed_pickle_is_a_data_error():
    with pytest.raises(DataError, match="malformed pickle"):
        restricted_loads(b"\x80\x02garbage")
