from harness.local_api.rules import *  # noqa: F403  the answer rules (sandbox_rule, Answer, ...) under their old import path
from harness.local_api.server import *  # noqa: F403  moved to the package; `python -m tests.servers.fake_llm` still serves
from harness.local_api.server import main

if __name__ == "__main__":
    main()
