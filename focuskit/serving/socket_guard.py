"""What a respondent's browser may send its kernel over the kernel websocket.

The questionnaire's page only ever answers widgets the kernel made. A visitor who scripts the
socket instead could open comms of their own (each a widget or a handler the kernel keeps in
memory), send huge messages, or ask for the widgets' state thousands of times (CPU). So on the
respondent door:

- a ``comm_open`` from the browser is dropped unless its target is one that ipywidgets' front
  end opens itself (the control and version channels); widgets are the kernel's to create;
- a message over ``max_bytes`` closes the socket (tornado's own limit, set in voila_main);
- more than ``per_minute`` messages in a minute close the socket.

On both doors, a binary frame whose table of parts does not fit the frame closes the socket.
jupyter_server reads that table before checking it: eight bytes announcing 2**40 parts kept
the whole door's event loop building the list (every visitor stuck, memory climbing).
"""

from __future__ import annotations

import json
import struct
import time
from collections import deque

__all__ = ["FRONT_END_TARGETS", "MessageRate", "comm_open_target", "frame_is_sane"]

MAX_PARTS = 1024  # a kernel message has six parts plus its binary buffers

#: comm targets ipywidgets' front end opens from the browser: jupyter.widget.control (8.x,
#: asks for every widget's state once) and jupyter.widget.version (7.x, checks versions).
FRONT_END_TARGETS = frozenset({"jupyter.widget.control", "jupyter.widget.version"})


def frame_is_sane(message, v1: bool) -> bool:
    """Whether a websocket frame's table of parts fits inside it (text frames always do)."""
    if not isinstance(message, bytes):
        return True
    if v1:  # little-endian u64 count, then that many u64 offsets
        if len(message) < 8:
            return False
        count = int.from_bytes(message[:8], "little")
        if not 1 <= count <= MAX_PARTS or 8 * (count + 1) > len(message):
            return False
        offsets = [int.from_bytes(message[8 * (i + 1):8 * (i + 2)], "little")
                   for i in range(count)]
    else:  # legacy binary: big-endian i32 count, then that many u32 offsets
        if len(message) < 4:
            return False
        count = int.from_bytes(message[:4], "big", signed=True)
        if not 1 <= count <= MAX_PARTS or 4 * (count + 1) > len(message):
            return False
        offsets = [int.from_bytes(message[4 * (i + 1):4 * (i + 2)], "big")
                   for i in range(count)]
    return offsets == sorted(offsets) and offsets[-1] <= len(message)


def _v1_parts(data: bytes) -> list[bytes]:
    """The parts of a v1.kernel.websocket.jupyter.org frame: offsets, then channel, header,
    parent header, metadata, content, buffers."""
    count = int.from_bytes(data[:8], "little")
    offsets = [int.from_bytes(data[8 * (i + 1):8 * (i + 2)], "little") for i in range(count)]
    offsets.append(len(data))
    return [data[offsets[i]:offsets[i + 1]] for i in range(count)]


def comm_open_target(message, v1: bool = True) -> str | None:
    """The target name if ``message`` (as the websocket delivered it; ``v1``: the socket
    speaks v1.kernel.websocket.jupyter.org) is a comm_open, else None. A frame that cannot be
    read gives "" (refused like an unknown target)."""
    try:
        if isinstance(message, bytes) and v1:
            if not frame_is_sane(message, v1=True):
                return ""
            parts = _v1_parts(message)
            header, content = json.loads(parts[1]), parts[4]
            if header.get("msg_type") != "comm_open":
                return None
            return str(json.loads(content).get("target_name", ""))
        if isinstance(message, bytes):
            from jupyter_server.services.kernels.connection.base import (
                deserialize_binary_message,
            )

            if not frame_is_sane(message, v1=False):
                return ""
            msg = deserialize_binary_message(message)
        else:
            msg = json.loads(message)
        if msg.get("header", {}).get("msg_type") != "comm_open":
            return None
        return str(msg.get("content", {}).get("target_name", ""))
    except (ValueError, IndexError, AttributeError, TypeError, UnicodeDecodeError,
            struct.error):
        return ""


class MessageRate:
    """Messages of one socket in the last minute."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self.times: deque[float] = deque()

    def too_many(self) -> bool:
        """Count one message now; True once more than ``per_minute`` came within 60 s."""
        if not self.per_minute:
            return False
        now = time.monotonic()
        self.times.append(now)
        while self.times and now - self.times[0] > 60:
            self.times.popleft()
        return len(self.times) > self.per_minute
