"""Grid balancing: one pure function from a site snapshot and a policy to setpoints.

Kept free of I/O and time so the control law can be tested cycle by cycle,
property-tested on random sites and benchmarked at 10,000 assets.
"""

from .balancer import BalancerMemory, Decision, Setpoint, balance
from .guidance import Guidance
from .policy import Policy
from .snapshot import AssetView, SiteSnapshot

__all__ = ["AssetView", "BalancerMemory", "Decision", "Guidance", "Policy", "Setpoint", "SiteSnapshot", "balance"]
