"""CartPoleSwingUp: physics, the vector env, compiled rollouts, the Gymnasium env."""

import itertools
import math

import numpy as np
import pytest

from scratchnn.wann.networks.activations import NO_STEP
from scratchnn.wann.networks.genome import (
    express,
    forward,
)
from scratchnn.wann.networks.packed import pack_networks, shared_weight_instances
from scratchnn.wann.tasks import swingup as su

from .helpers import WEIGHTS, random_nets


def hand_step(x, x_dot, th, th_dot, a):
    """The reference equations, written out with math (g 9.82, m_c = m_p = 0.5, l 0.6, b 0.1)."""
    F = 10.0 * max(-1.0, min(1.0, a))
    s, c = math.sin(th), math.cos(th)
    M, mp, L, g, b = 1.0, 0.5, 0.6, 9.82, 0.1
    xa = (-2 * mp * L * th_dot**2 * s + 3 * mp * g * s * c + 4 * F - 4 * b * x_dot) / (
        4 * M - 3 * mp * c * c
    )
    ta = (-3 * mp * L * th_dot**2 * s * c + 6 * M * g * s + 6 * (F - b * x_dot) * c) / (
        4 * L * M - 3 * mp * L * c * c
    )
    return x + 0.01 * x_dot, x_dot + 0.01 * xa, th + 0.01 * th_dot, th_dot + 0.01 * ta


def test_swingup_physics_against_steps_by_hand():
    # hanging at rest, no force: nothing moves
    assert su.physics_step(0.0, 0.0, math.pi, 0.0, 0.0) == pytest.approx((0, 0, math.pi, 0))
    # hanging at rest, full force: x_acc = 4F / (4M - 3 m_p) = 40 / 2.5 = 16,
    # th_acc = 6 F cos(pi) / (4 l M - 3 m_p l) = -60 / 1.5 = -40
    assert su.physics_step(0.0, 0.0, math.pi, 0.0, 1.0) == pytest.approx((0, 0.16, math.pi, -0.4))
    # the action is clipped to [-1, 1]
    assert su.physics_step(0.0, 0.0, math.pi, 0.0, 7.0) == pytest.approx((0, 0.16, math.pi, -0.4))
    # a few steps from a general state agree with the equations written out by hand
    mine = hand = (0.3, -0.7, 2.5, 1.3)
    for a in (0.4, -1.0, 0.9, 0.0, -0.2):
        mine = su.physics_step(*mine, a)
        hand = hand_step(*hand, a)
        assert mine == pytest.approx(hand, rel=1e-12)
    # reward on the new state: upright at the centre 1, hanging 0, at the track's end 0
    assert su.reward(0.0, 0.0) == pytest.approx(1.0)
    assert su.reward(0.0, math.pi) == pytest.approx(0.0)
    assert su.reward(2.4, 0.0) == pytest.approx(0.0, abs=1e-12)
    assert su.reward(1.2, math.pi / 2) == pytest.approx(0.5 * math.cos(math.pi / 4))


def test_vector_env_stops_past_the_track_and_counts_that_step():
    env = su.SwingUpEnv(2)
    env.reset(np.random.default_rng(0), state=[[2.39, 2.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    obs, r, done = env.step(np.zeros(2))
    assert done.tolist() == [True, False]  # 2.39 + 0.02 > 2.4
    assert r[0] == pytest.approx(su.reward(2.41, 0.0)) and r[0] < 0
    obs2, r2, _ = env.step(np.zeros(2))
    assert r2[0] == 0.0 and np.array_equal(obs2[0], obs[0])  # finished: frozen, no reward
    states = su.reset_states(20000, np.random.default_rng(0))
    assert np.allclose(states.mean(axis=0), [0, 0, math.pi, 0], atol=0.01)
    assert np.allclose(states.std(axis=0), 0.2, atol=0.01)


def test_compiled_rollouts_equal_the_vector_env_with_the_plain_forward():
    # no step activation: a value at the step's edge could flip with the last bit
    nets = [express(g) for g in random_nets(5, 1, 6, seed=3, max_mutations=25, acts=NO_STEP)]
    packed = pack_networks(nets)
    inst = shared_weight_instances(packed, WEIGHTS)
    init = su.reset_states(2, np.random.default_rng(9))
    n_inst = len(inst[0])
    ep_inst, ep_state = np.repeat(np.arange(n_inst), 2), np.tile(np.arange(2), n_inst)
    # 60 steps: over 1000 steps the last-bit differences of the two float summation orders can
    # grow (the controlled pendulum is chaotic), so the comparison stays on a horizon where
    # they cannot
    fast = su.rollouts(packed, *inst, ep_inst, ep_state, init, steps=60).reshape(6, 6, 2)
    assert np.ptp(fast) > 1  # the networks do different things
    for k, e in enumerate(nets):
        for i, w in enumerate(WEIGHTS):
            env = su.SwingUpEnv(2)
            obs, total = env.reset(None, state=init), np.zeros(2)
            with np.errstate(all="ignore"):
                for _ in range(60):
                    obs, r, done = env.step(forward(e, obs, w)[:, 0])
                    total += r
                    if done.all():
                        break
            np.testing.assert_allclose(fast[k, i], total, rtol=1e-9, atol=1e-9)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_gymnasium_registration_and_env_checker():
    import gymnasium
    from gymnasium.utils.env_checker import check_env

    import scratchnn.wann.tasks.swingup_gym  # noqa: F401  (registers the id)

    env = gymnasium.make("scratchnn/CartPoleSwingUp-v0")
    check_env(env.unwrapped)
    obs, _ = env.reset(seed=3)
    ref = su.SwingUpEnv(1)
    ref.reset(None, state=env.unwrapped._env.state.copy())
    steps, terminated, truncated = 0, False, False
    while not (terminated or truncated):
        obs, r, terminated, truncated, _ = env.step(np.array([0.5], dtype=np.float32))
        obs_ref, r_ref, _ = ref.step(np.array([0.5]))
        assert np.allclose(obs, obs_ref[0]) and r == pytest.approx(r_ref[0])
        steps += 1
    assert terminated and steps < su.T_LIMIT  # pushing one way runs off the track
    env2 = gymnasium.make("scratchnn.wann.tasks.swingup_gym:scratchnn/CartPoleSwingUp-v0")
    assert env2.spec.max_episode_steps == 1000


@pytest.mark.parametrize("width", [1, 5, 64])
def test_lane_rollouts_equal_the_scalar_kernel_to_the_last_bit(width):
    # every activation (the step's included: both kernels compute the same pre-activation bit
    # for bit), shared and individual weights, episodes that leave the track mid-way (lanes
    # swapped out) and episodes in an order that is not grouped by network
    nets = [express(g) for g in random_nets(5, 1, 7, seed=11, max_mutations=40)]
    packed = pack_networks(nets)
    rng = np.random.default_rng(4)
    inst = shared_weight_instances(packed, WEIGHTS)
    n_inst = len(inst[0])
    init = su.reset_states(3, rng)
    init[1, 1] = 4.0  # a fast start: some networks run off the track early
    ep_inst = rng.permutation(np.repeat(np.arange(n_inst), 3))
    ep_state = rng.integers(0, 3, len(ep_inst))
    blocks = su.lane_blocks(inst[0], ep_inst, width)
    args = (*su.kernel_args(packed, *inst), ep_inst, ep_state, init, su.T_LIMIT)
    ref_total, ref_steps = su._rollouts(*args)
    total, steps = su._rollouts_lanes(*args, *blocks)
    assert np.array_equal(total, ref_total) and np.array_equal(steps, ref_steps)
    assert (steps < su.T_LIMIT).all()  # these random networks all push the cart off the track
    # individual weights, every instance its own: small ones (weak forces) keep most episodes
    # on the track to the end, the fast start does not
    wflat = rng.normal(0, 0.1, len(inst[2]))
    args = (*su.kernel_args(packed, inst[0], inst[1], wflat), ep_inst, ep_state, init, su.T_LIMIT)
    ref_total, ref_steps = su._rollouts(*args)
    total, steps = su._rollouts_lanes(*args, *blocks)
    assert np.array_equal(total, ref_total) and np.array_equal(steps, ref_steps)
    assert 0 < (steps < su.T_LIMIT).sum() < len(steps)  # some left the track, some did not
    wflat = rng.normal(0, 1.5, len(inst[2]))
    run = (packed, inst[0], inst[1], wflat, ep_inst, ep_state, init, 300)
    assert np.array_equal(su.rollouts(*run), su.rollouts(*run, engine="scalar"))


def test_lane_blocks_group_episodes_by_network_in_blocks_of_at_most_width():
    inst_net = np.array([0, 0, 1, 2, 1])
    ep_inst = np.array([4, 0, 1, 3, 2, 0, 2, 4])  # networks 1 0 0 2 1 0 1 1
    blk_ptr, blk_ep = su.lane_blocks(inst_net, ep_inst, width=2)
    blocks = [blk_ep[a:b].tolist() for a, b in itertools.pairwise(blk_ptr)]
    assert blocks == [[1, 2], [5], [0, 4], [6, 7], [3]]
    packed = pack_networks([express(random_nets(5, 1, 1)[0])])
    inst = shared_weight_instances(packed, WEIGHTS)
    with pytest.raises(ValueError, match="engine"):
        su.rollouts(packed, *inst, [0], [0], np.zeros((1, 4)), engine="fast")
