"""Recorded episodes for a champion page's player, as JSON-able data.

A *run* is one network instance: a label, the shared weight ``w`` (None for individual
weights) and the edge weights ``(E,)`` in packed edge order. Every run plays one episode from
the same start: the first tuning episode behind the slider's scores.

- SwingUp (:func:`swingup_episodes`): the cart position ``x`` and pole angle ``th`` every
  ``stride`` steps (the page draws track, cart and pole from them), stored as base64 int16
  (``x`` in mm, ``th`` wrapped to (-pi, pi] in 1e-4 rad) with the force as int8 (``a * 127``).
  Same physics and networks as the scores (:class:`~scratchnn.wann.tasks.swingup.SwingUpEnv`, the
  compiled forward pass), so a run's return is the score of that episode.
- Gymnasium tasks (:func:`gym_episodes`): frames the environment renders
  (``render_mode="rgb_array"``), about ``frames`` per episode (every ``ceil(length /
  frames)`` steps and at the last step), in Gymnasium's environments whatever the scores' backend,
  scaled to ``width`` pixels and stored as WebP (PNG where Pillow has no WebP) data URIs,
  with the step and the return so far at each frame. Environments that cannot render give the
  returns without frames.
"""

from __future__ import annotations

import base64
import io
import math
import os
from dataclasses import dataclass

import numpy as np

from ..._optional import require
from ..evaluate import _instances
from ..networks.genome import Genome
from ..networks.packed import forward_rows
from ..search.population import Population, pack_population
from ..tasks import swingup as su


@dataclass(frozen=True)
class Run:
    """One network instance to record: ``label``, shared weight ``w`` (None: individual
    weights) and ``edge_weights`` (E,) in packed edge order."""

    label: str
    w: float | None
    edge_weights: np.ndarray


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def swingup_episodes(
    genome: Genome, runs: list[Run], state: np.ndarray, steps: int = su.T_LIMIT, stride: int = 2
) -> dict:
    """One SwingUp episode per run from the initial state ``state`` (4,), all stepped together:
    ``{"kind": "swingup", "stride", "dt", "x_limit", "pole", "runs": [{"label", "w", "return",
    "steps", "frames", "x", "th", "force"}]}`` (see the module docstring for the encoding)."""
    packed = pack_population(Population.from_genomes([genome]))
    n = len(runs)
    inst = _instances(packed, np.stack([r.edge_weights for r in runs]))
    env = su.SwingUpEnv(n)
    obs = env.reset(np.random.default_rng(0), np.repeat(np.asarray(state, float)[None], n, 0))
    xs, ths, forces = [env.state[:, 0].copy()], [env.state[:, 2].copy()], [np.zeros(n)]
    total, length = np.zeros(n), np.full(n, steps)
    rows = np.arange(n)
    for t in range(steps):
        live = ~env.done
        a = np.clip(np.nan_to_num(forward_rows(packed, *inst, rows, obs)[:, 0], nan=0.0), -1, 1)
        obs, r, done = env.step(a)
        total += r
        length[done & live] = t + 1
        xs.append(env.state[:, 0].copy())
        ths.append(env.state[:, 2].copy())
        forces.append(a)
        if done.all():
            break
    X, TH, F = np.array(xs), np.array(ths), np.array(forces)  # (steps + 1, n): step 0 = start
    out = []
    for i, run in enumerate(runs):
        n_steps = int(length[i])
        at = np.unique(np.r_[np.arange(0, n_steps + 1, stride), n_steps])  # frame -> step
        x = np.clip(np.round(X[at, i] * 1000), -32767, 32767).astype("<i2")
        th = np.round((np.mod(TH[at, i] + np.pi, 2 * np.pi) - np.pi) * 1e4).astype("<i2")
        f = np.round(F[at, i] * 127).astype(np.int8)
        k = len(at)
        out.append(
            {
                "label": run.label,
                "w": run.w,
                "return": float(total[i]),
                "steps": int(length[i]),
                "frames": int(k),
                "x": _b64(x),
                "th": _b64(th),
                "force": _b64(f),
            }
        )
    return {
        "kind": "swingup",
        "stride": stride,
        "dt": su.DT,
        "x_limit": su.X_LIMIT,
        "pole": su.LENGTH,
        "runs": out,
    }


def encode_frame(rgb: np.ndarray, width: int, quality: int = 60) -> str:
    """A data URI of the image ``rgb`` (H, W, 3) scaled to ``width`` pixels: WebP when Pillow
    supports it, else a 64-colour PNG."""
    from PIL import Image, features

    img = Image.fromarray(np.asarray(rgb, np.uint8))
    if img.width > width:
        img = img.resize((width, max(1, round(img.height * width / img.width))), Image.LANCZOS)
    buf = io.BytesIO()
    if features.check("webp"):
        img.save(buf, "WEBP", quality=quality, method=4)
        mime = "image/webp"
    else:
        img.quantize(64).save(buf, "PNG", optimize=True)
        mime = "image/png"
    return f"data:{mime};base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _render_env(spec):
    """A Gymnasium environment for ``spec`` that renders ``rgb_array`` frames, or None when the
    environment has no such render mode."""
    gym = require("gymnasium", "gym", "rendering a Gymnasium task's episodes")

    from ..tasks.gym import NoFallPenalty, _import_env_module

    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # pygame: no display wanted
    _import_env_module(spec.env_id)
    probe = gym.spec(spec.env_id)
    env_class = probe.entry_point if not isinstance(probe.entry_point, str) else None
    modes = getattr(env_class, "metadata", {}).get("render_modes") if env_class else None
    if modes is not None and "rgb_array" not in modes:
        return None
    try:
        env = gym.make(
            spec.env_id,
            max_episode_steps=spec.steps,
            render_mode="rgb_array",
            disable_env_checker=True,
        )
    except (gym.error.Error, TypeError, ValueError):
        return None
    return NoFallPenalty(env) if spec.reward == "reference" else env


def gym_episodes(
    spec, genome: Genome, runs: list[Run], seed: int, frames: int = 40, width: int = 320
) -> dict:
    """One episode per run of the Gymnasium environment ``spec``
    (:class:`~scratchnn.wann.tasks.gym.EnvSpec`) seeded ``seed``, each in a fresh environment:
    ``{"kind": "frames", "fps", "env_id", "runs": [{"label", "w", "return", "steps", "stride",
    "frames": [data URI], "frame_step": [step], "frame_return": [return so far]}]}``. Each
    episode runs twice: once to learn its length, then again (the same seed, a fresh
    environment: the same episode) rendering a frame every ``stride = ceil(length / frames)``
    steps and at its last step. ``fps``: the environment's steps per second (its
    ``render_fps``, else 50)."""
    from ..tasks.gym import make_env

    packed = pack_population(Population.from_genomes([genome]))
    inst = _instances(packed, np.stack([r.edge_weights for r in runs]))
    out, fps = [], 50.0
    for i, run in enumerate(runs):
        record = _play(spec, packed, inst, i, seed, make_env(spec))
        env = _render_env(spec)
        if env is not None:
            fps = float(env.metadata.get("render_fps") or fps)
            stride = max(1, math.ceil(record["steps"] / max(1, frames)))
            record = _play(spec, packed, inst, i, seed, env, stride, width)
        out.append({"label": run.label, "w": run.w, **record})
    return {"kind": "frames", "fps": fps, "env_id": spec.env_id, "runs": out}


def _play(spec, packed, inst, i: int, seed: int, env, stride: int = 0, width: int = 0) -> dict:
    """Instance ``i``'s episode in ``env`` (closed at the end), seeded ``seed``; with
    ``stride``, a frame of ``width`` pixels at step 0, every ``stride`` steps and at the last."""
    from ..tasks.gym import to_actions

    obs = np.ravel(env.reset(seed=int(seed))[0]).astype(np.float64)
    shots, at, so_far = [], [], []

    def shoot(t: int, ret: float) -> None:
        if stride:
            shots.append(encode_frame(env.render(), width))
            at.append(t)
            so_far.append(round(ret, 3))

    shoot(0, 0.0)
    total, t, done = 0.0, 0, False
    while t < spec.steps and not done:
        y = forward_rows(packed, *inst, np.array([i]), obs[None])
        obs_, r, terminated, truncated, _ = env.step(to_actions(y, spec)[0])
        obs = np.ravel(obs_).astype(np.float64)
        total += float(r)
        t += 1
        done = bool(terminated or truncated)
        if stride and (t % stride == 0 or done or t == spec.steps):
            shoot(t, total)
    env.close()
    return {
        "return": total,
        "steps": t,
        "stride": stride,
        "frames": shots,
        "frame_step": at,
        "frame_return": so_far,
    }
