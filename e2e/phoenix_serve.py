"""Runs `phoenix serve` with its OTLP gRPC receiver on loopback.

Phoenix binds its HTTP server to PHOENIX_HOST, but its gRPC server always to "[::]" (every interface). This
launcher rewrites that wildcard to 127.0.0.1 before Phoenix starts, then hands over to Phoenix's own entry point.
Run it with the Python of the Phoenix virtualenv: `python phoenix_serve.py` (arguments go to `phoenix`; default
`serve`).
"""

import sys

import grpc.aio


def _loopback_only(add_port):
    def add_port_on_loopback(self, address, *args, **kwargs):
        host, sep, port = address.rpartition(":")
        if sep and host in ("[::]", "0.0.0.0", ""):
            address = "127.0.0.1:" + port
        return add_port(self, address, *args, **kwargs)

    return add_port_on_loopback


def main():
    try:
        from grpc.aio._server import Server as server_class
    except ImportError:  # the module is private: fall back to the class of a (never started) server
        server_class = type(grpc.aio.server())
    server_class.add_insecure_port = _loopback_only(server_class.add_insecure_port)
    server_class.add_secure_port = _loopback_only(server_class.add_secure_port)

    from phoenix.server.main import main as phoenix_main

    sys.argv = ["phoenix"] + (sys.argv[1:] or ["serve"])
    return phoenix_main()


if __name__ == "__main__":
    sys.exit(main())
