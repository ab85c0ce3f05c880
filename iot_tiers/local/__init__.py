"""``tiers local``: the whole backend on one machine, no AWS account, with a live dashboard.

Small modules, each with one job:

* :mod:`.stack`: what to rebuild, read from the stack's captured ProcessingTier;
* :mod:`.processes`: child processes, free ports, the temporary directory;
* :mod:`.broker`: mosquitto; :mod:`.aws`: the moto server and the tier's resources;
* :mod:`.rule`: the IoT rule stand-in; :mod:`.poller`: the SQS event source mapping
  feeding the real handler; :mod:`.relay`: alerts from SNS to MQTT;
* :mod:`.bridge`: the real bridge and its tokens; :mod:`.web` and ``dashboard/``: the page;
* :mod:`.simulator`: the devices; :mod:`.status`: the status line;
  :mod:`.summary`: the end-of-run account; :mod:`.run`: the orchestration.
"""

from .run import LocalOptions, run_local

__all__ = ["LocalOptions", "run_local"]
