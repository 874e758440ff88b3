"""A real SMTP server for the mail delivery tests, on aiosmtpd.

usage: python3 smtp_sink.py PORT MAILDIR

Stores every accepted message in MAILDIR. Recipients at @refused.test are refused for good
(550), recipients at @busy.test for now (451), as a real mail server would. Prints "ready"
once it listens.
"""
import mailbox
import os
import sys
import time

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, path):
        # The directory may exist already (a test's temporary one); Maildir then skips its parts.
        for part in ("tmp", "new", "cur"):
            os.makedirs(os.path.join(path, part), exist_ok=True)
        self.box = mailbox.Maildir(path, create=False)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@refused.test"):
            return "550 5.1.1 No such mailbox here"
        if address.endswith("@busy.test"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.box.add(envelope.original_content)
        return "250 Message accepted for delivery"


port, path = int(sys.argv[1]), sys.argv[2]
controller = Controller(Sink(path), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
