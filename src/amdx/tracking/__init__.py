"""Tracking: batched EKF (constant-velocity and ballistic models in ECEF), grid gating and GNN association,
track management (M-of-N confirmation, deletion, classification) and ballistic impact prediction."""

from __future__ import annotations

from amdx.tracking.association import Association, GnnAssociator, gate_threshold, gnn_assign
from amdx.tracking.bank import BankReport, TrackerBank
from amdx.tracking.filters import BatchEKF, UpdateResult, ekf_update
from amdx.tracking.impact import ImpactPrediction, error_ellipse, impact_points, predict_impact
from amdx.tracking.models import MotionModel, ballistic_predict, cv_predict, predict
from amdx.tracking.tracker import (
    Classification,
    StepReport,
    Tracker,
    TrackerConfig,
    TrackStatus,
    TrackTable,
)

__all__ = [
    "Association",
    "BankReport",
    "BatchEKF",
    "Classification",
    "GnnAssociator",
    "ImpactPrediction",
    "MotionModel",
    "StepReport",
    "TrackStatus",
    "TrackTable",
    "Tracker",
    "TrackerBank",
    "TrackerConfig",
    "UpdateResult",
    "ballistic_predict",
    "cv_predict",
    "ekf_update",
    "error_ellipse",
    "gate_threshold",
    "gnn_assign",
    "impact_points",
    "predict",
    "predict_impact",
]
