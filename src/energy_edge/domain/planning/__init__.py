"""Looking ahead: a forecast of the site and the planner that turns it into balancer guidance.

The balancer decides every second from the present; the planner, every few
minutes, decides what the present cannot show: leave room in the stores for
the midday surplus the export limit would otherwise curtail, and fill them from
the grid before a price peak.
"""

from .forecast import ForecastSlot, OnlineForecaster
from .planner import plan
from .rolling import RollingPlanner

__all__ = ["ForecastSlot", "OnlineForecaster", "RollingPlanner", "plan"]
