"""One module of checks per lesson (``lesson01`` ... ``lesson06``)."""
