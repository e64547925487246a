"""A worker process of ``shapewise serve``: reads requests on stdin, answers on stdout, one at a time.

Started as ``python -m shapewise.web.worker`` (not with multiprocessing, which would run the parent's main
script again in each worker). Framing, both ways: a 4-byte big-endian length, then that many bytes. A request is
the JSON ``[kind, payload]``; an answer is a JSON header ``[status, content type, exit code]`` then the body as a
second frame. Once its modules are loaded, the worker sends the frame ``ready``. It ends when its stdin closes
(the server stopped or died).
"""

import json
import struct
import sys

MEMORY_LIMIT = 4 << 30  # address space (bytes), where the platform allows limiting it


def read_frame(stream):
    head = stream.read(4)
    if len(head) < 4:
        return None
    (n,) = struct.unpack(">I", head)
    data = stream.read(n)
    return data if len(data) == n else None


def write_frame(stream, data):
    stream.write(struct.pack(">I", len(data)) + data)


def main():
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass
    from . import api
    from ..frontends import snippet  # noqa: F401 (loaded now, not in the first request's time)
    from ..render import json_  # noqa: F401

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed by accident can corrupt the frames
    write_frame(stdout, b"ready")
    stdout.flush()
    while True:
        frame = read_frame(stdin)
        if frame is None:
            return
        kind, payload = json.loads(frame)
        status, ctype, body, code = api.handle((kind, payload))
        write_frame(stdout, json.dumps([status, ctype, code]).encode())
        write_frame(stdout, body)
        stdout.flush()


if __name__ == "__main__":
    main()
