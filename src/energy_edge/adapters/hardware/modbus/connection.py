"""One Modbus TCP connection with timeouts, retries with backoff and reconnect.

pymodbus does the framing and the socket; its own retry and reconnect loops
are switched off so that this class alone decides how long a request may
take (timeout x attempts plus the backoff), and a dead device costs a
bounded, known time per poll instead of a background reconnect storm.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Literal

from pymodbus.client import AsyncModbusTcpClient
from pymodbus.exceptions import ModbusException

from energy_edge.domain.errors import HardwareFault

logger = logging.getLogger(__name__)

MAX_READ_REGISTERS = 125  # Modbus: at most 125 registers per read request


class CommunicationError(Exception):
    """The device did not answer (refused, timed out, connection dropped) after every retry."""


@dataclass(frozen=True, slots=True)
class ConnectionOptions:
    host: str = "127.0.0.1"
    port: int = 502
    unit_id: int = 1
    timeout_s: float = 1.0
    retries: int = 2  # extra attempts per request after the first
    backoff_s: float = 0.05  # first pause between attempts; doubles each retry


class ModbusConnection:
    """Reads and writes holding registers; raises CommunicationError when the device is gone.

    A Modbus exception response (illegal address, device failure) is the
    device answering "no": that is a HardwareFault at once, since retrying
    will not change the answer.
    """

    def __init__(self, options: ConnectionOptions) -> None:
        self.options = options
        self._client: AsyncModbusTcpClient | None = None  # made on first use: pymodbus needs a running loop
        self._lock = asyncio.Lock()  # one request in flight: Modbus TCP devices often serve one at a time

    @property
    def client(self) -> AsyncModbusTcpClient:
        if self._client is None:
            self._client = AsyncModbusTcpClient(
                self.options.host, port=self.options.port, timeout=self.options.timeout_s, retries=0, reconnect_delay=0
            )
        return self._client

    @property
    def endpoint(self) -> str:
        return f"{self.options.host}:{self.options.port} unit {self.options.unit_id}"

    async def read(self, address: int, count: int, *, table: Literal["holding", "input"] = "holding") -> list[int]:
        """`count` holding (function 3) or input (function 4) registers from `address`, in requests of <= 125.

        An answer with fewer or more registers than asked is a malformed
        answer (a firmware or gateway bug): a HardwareFault naming the device
        and both counts at once, never registers shifted into other points.
        """
        registers: list[int] = []
        for start in range(address, address + count, MAX_READ_REGISTERS):
            chunk = min(MAX_READ_REGISTERS, address + count - start)
            read = self.client.read_input_registers if table == "input" else self.client.read_holding_registers
            response = await self._request(
                f"read {chunk} {'input ' if table == 'input' else ''}registers at {start}",
                lambda s=start, c=chunk, r=read: r(s, count=c, device_id=self.options.unit_id),
            )
            if len(response.registers) != chunk:
                raise HardwareFault(f"device {self.endpoint} answered {len(response.registers)} registers to a read of {chunk} at {start}")
            registers.extend(response.registers)
        return registers

    async def write(self, address: int, values: list[int]) -> None:
        await self._request(
            f"write {len(values)} registers at {address}",
            lambda: self.client.write_registers(address, values, device_id=self.options.unit_id),
        )

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    async def _request(self, what: str, send):  # noqa: ANN001 - a pymodbus request coroutine factory
        delay = self.options.backoff_s
        last_error = "no attempt"
        async with self._lock:
            for attempt in range(self.options.retries + 1):
                if attempt:
                    await asyncio.sleep(delay)
                    delay *= 2
                try:
                    if not self.client.connected and not await self.client.connect():
                        last_error = "connection refused or timed out"
                        continue
                    response = await send()
                except (ModbusException, ConnectionError, OSError, asyncio.TimeoutError) as exc:
                    last_error = str(exc) or type(exc).__name__
                    self.client.close()  # a half-dead socket is reopened on the next attempt
                    continue
                if response.isError():
                    raise HardwareFault(f"device {self.endpoint} refused to {what}: Modbus exception {getattr(response, 'exception_code', '?')}")
                return response
        logger.debug("modbus %s: %s failed after %d attempts: %s", self.endpoint, what, self.options.retries + 1, last_error)
        raise CommunicationError(f"{self.endpoint}: {what} failed after {self.options.retries + 1} attempts ({last_error})")
