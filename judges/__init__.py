"""Feedback sources and judges. Importing the package registers the built-ins."""

from judges import (  # noqa: F401
    baselines,
    judged,
    llm_judge,
    llm_teacher,
    noisy_oracle,
    oracle,
    oracle_ceiling,
    pairwise,
    parameter_contrast,
    prompted,
    reward_model,
    self_reward,
)
from judges.almost import source as almost_source  # noqa: F401  (registers almost_rubric)
