"""The paper's BipedalWalker task (``--task biped``): Gymnasium's ``BipedalWalker-v3`` as a
:class:`~scratchnn.wann.tasks.gym.GymTask` with the WANN reference's settings.

24 inputs (hull angle and speeds, joint angles and speeds, leg contacts, 10 lidar readings), 4
outputs (hip and knee torques), linear and clipped to ``[-1, 1]``, 1600 steps per episode,
initial connection probability 0.25, and the reference's reward: a fall is not replaced by
-100 (``reward="reference"``, :mod:`~scratchnn.wann.tasks.biped_reward`: exact on Gymnasium,
estimated on EnvPool). The episode runner and
the backends are :mod:`~scratchnn.wann.tasks.gym`'s, shared with every ``gym:ENV_ID`` task.
"""

from __future__ import annotations

from .gym import GymTask, gym_task

BIPED_ID = "BipedalWalker-v3"

#: observation and action names of BipedalWalker (Gymnasium's documented order)
BIPED_LABELS = (
    "hull_angle", "hull_vel_angle", "vel_x", "vel_y",
    "hip1_angle", "hip1_speed", "knee1_angle", "knee1_speed", "leg1_contact",
    "hip2_angle", "hip2_speed", "knee2_angle", "knee2_speed", "leg2_contact",
    *(f"lidar_{i}" for i in range(10)),
    "hip_1", "knee_1", "hip_2", "knee_2",
)  # fmt: skip


def biped_task(workers: int | None = None, backend: str | None = None) -> GymTask:
    """The paper's BipedalWalker: Gymnasium's BipedalWalker-v3, 24 inputs, 4 linear outputs
    clipped to [-1, 1], 1600 steps, p_init 0.25, the reference's reward (no fall penalty)."""
    return gym_task(
        BIPED_ID,
        name="biped",
        steps=1600,
        action="clip",
        reward="reference",
        p_init=0.25,
        labels=BIPED_LABELS,
        workers=workers,
        backend=backend,
    )
