"""The ports: what the domain and services need from the outside world.

Each is a narrow `typing.Protocol` (in the spirit of httpx's transports), so the
services never know whether they talk to the in-memory hub, Mosquitto or
edgeHub, nor whether an asset is simulated or on Modbus.

Transport rules every implementation keeps (checked by tests/contract):
- handlers are registered before `connect()`;
- `send_message` routes by the site's IoT Edge routes; delivery fills
  `Message.source_module`;
- `invoke_method` never raises for a remote failure: it returns a
  `MethodResponse` with 404 (no such module or method), 504 (timeout) or
  whatever the target answered;
- desired-property handlers receive patches carrying "$version"; a module
  reads the whole twin with `get_twin()` at start (late starters get it too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, Callable, Generic, Protocol, TypeVar, runtime_checkable

if TYPE_CHECKING:
    from .prices import PriceSlot
    from .pv_forecast import PvForecastSlot
    from .planning.forecast import ForecastSlot
    from .planning.problem import PlannedSlot, PlanningProblem

from .messages import Message, MethodRequest, MethodResponse, Twin

InputHandler = Callable[[Message], Awaitable[None]]
MethodHandler = Callable[[MethodRequest], Awaitable[MethodResponse]]
DesiredPatchHandler = Callable[[dict[str, Any]], Awaitable[None]]


@runtime_checkable
class MessagingPort(Protocol):
    """Send to a named output; handle a named input. Routes join the two."""

    async def send_message(self, output: str, message: Message) -> None: ...

    def on_input(self, input_name: str, handler: InputHandler) -> None: ...


@runtime_checkable
class MethodsPort(Protocol):
    """Serve direct methods; invoke another module's method with a timeout."""

    def on_method(self, handler: MethodHandler) -> None: ...

    async def invoke_method(
        self, module_id: str, method: str, payload: Any, timeout_s: float
    ) -> MethodResponse: ...


@runtime_checkable
class TwinPort(Protocol):
    """The module twin: desired configuration in, Plug and Play acknowledgements out."""

    async def get_twin(self) -> Twin: ...

    def on_desired_patch(self, handler: DesiredPatchHandler) -> None: ...

    async def patch_reported(self, patch: dict[str, Any]) -> None: ...


@runtime_checkable
class ModuleClient(MessagingPort, MethodsPort, TwinPort, Protocol):
    """One module's connection to its hub: the three ports plus a lifecycle."""

    module_id: str

    async def connect(self) -> None: ...

    async def close(self) -> None: ...


M = TypeVar("M", covariant=True)
S = TypeVar("S", contravariant=True)


class AssetHardware(Protocol, Generic[M, S]):
    """A device driver: read measurements, apply a setpoint.

    A driver raises `HardwareFault` (domain.errors) when the device cannot
    be read or returns physically impossible values; the asset then goes to
    FAULT with that reason. A measurement `read` did not take itself (the
    last one, held over a missed poll) carries its `age_s` (domain.hardware).

    Optional, so not declared here: `counters() -> DriverCounters`
    (domain.hardware), what the driver counts for the operator; the asset
    module's process metrics read it through `driver_counters`, and a driver
    without it (the simulators) counts nothing.
    """

    async def read(self) -> M: ...

    async def apply(self, setpoint: S) -> None: ...


class Clock(Protocol):
    """Time for the services: real, accelerated or simulated.

    `now()` is seconds since the Unix epoch in the clock's own timeline.
    """

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class GridMeter(Protocol):
    """The site's grid connection meter: + import, - export (site convention)."""

    async def read_grid_power_w(self) -> float: ...


class PriceSource(Protocol):
    """Day-ahead prices from outside (a dynamic tariff's API, a file): the controller refreshes its
    schedule from it every `PRICE_REFRESH_S` and keeps the last one when a fetch fails."""

    async def fetch(self) -> list["PriceSlot"]: ...


class PvForecastSource(Protocol):
    """A day-ahead PV forecast for the site's arrays from outside (a weather service): the controller
    refreshes it with the prices, every `PRICE_REFRESH_S`, keeps the last one when a fetch fails, and
    hands it to its online forecaster as the prior of the PV."""

    async def fetch(self) -> list["PvForecastSlot"]: ...


class Forecaster(Protocol):
    """What the site will produce and consume next: the planner's only view of the future.

    The controller feeds it every cycle's measurements; an implementation may
    learn from them (the online forecaster), or fetch a weather service's
    forecast and ignore them.
    """

    def observe(self, now: float, pv_available_w: float, pv_rated_w: float, load_w: float) -> None: ...

    def forecast(self, now: float, horizon_s: float) -> list["ForecastSlot"]: ...


class PlanSolver(Protocol):
    """Solves the planning problem (domain.planning.problem) for the lowest cost over its horizon.

    Returns one `PlannedSlot` per problem slot. Raises `PlanningFailed` (domain.errors) when it
    finds no plan in time (infeasible, numerical trouble, slower than its bound): the controller
    then falls back to the heuristic planner.
    """

    def solve(self, problem: "PlanningProblem") -> "list[PlannedSlot]": ...
