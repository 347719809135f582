"""moto's server mode, serving one request at a time.

DynamoDB applies a TransactWriteItems atomically: its conditions and writes are one step. moto's
own `moto_server` runs werkzeug with threaded=True and its transact_write_items takes no lock, so
the condition checks and writes of two concurrent transactions interleave (seen here: 3 of 20
concurrent quota-checked approvals succeeding where the quota is 2). Serving requests one by one
gives the tests the atomicity the real service guarantees, and changes nothing else.

Usage: python moto_serial.py HOST PORT
"""

import os
import signal
import sys

from werkzeug.serving import run_simple

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, app, threaded=False, use_reloader=False, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
