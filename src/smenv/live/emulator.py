"""The local AWS emulator: moto's server, with the few gaps this project meets filled in.

Started by `tools/local_aws.py start` (never by hand): `python tools/emulator.py --port N`.
Each patch below names the gap it fills; none of them changes what a module asks AWS to do.
The README's "Emulator gaps" table lists them.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

from smenv.live.emulator_patches import apply_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    apply_all()
    from moto.server import main as moto_main

    moto_main(["-H", args.host, "-p", str(args.port)])


if __name__ == "__main__":
    main()
