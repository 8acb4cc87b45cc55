"""Talking to a preview server as a browser would: plain requests with the path sent exactly
as written (no client tidies ``..`` away), and the event stream an open page listens to."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass

TIMEOUT = 30.0
"""Seconds before a test gives up on an answer that never comes (a failure, never a wait)."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def request(port: int, path: str, method: str = "GET") -> Answer:
    """``method path`` to 127.0.0.1:``port``, the path sent byte for byte."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        body = response.read()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return Answer(response.status, headers, body)
    finally:
        connection.close()


class EventStream:
    """The server-sent events of ``/__kdirectory/events``, read one at a time."""

    def __init__(self, port: int) -> None:
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self._connection.request("GET", "/__kdirectory/events")
        self._response = self._connection.getresponse()
        assert self._response.status == 200
        assert self._response.getheader("Content-Type", "").startswith("text/event-stream")

    def next(self) -> tuple[str, str]:
        """The next event: its name and data (comments and ``retry`` skipped).

        Raises:
            EOFError: the server ended the stream.
        """
        event, data = "message", list[str]()
        while True:
            line = self._response.readline().decode("utf-8")
            if not line:
                raise EOFError("the server closed the event stream")
            line = line.rstrip("\n")
            if not line:
                if data:
                    return event, "\n".join(data)
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)

    def next_error(self) -> list[str]:
        """The lines of the next event, which must be an ``error``."""
        event, data = self.next()
        assert event == "error", (event, data)
        lines = json.loads(data)
        assert isinstance(lines, list)
        return lines

    def close(self) -> None:
        self._response.close()  # its reader holds the socket open until it is closed
        self._connection.close()
