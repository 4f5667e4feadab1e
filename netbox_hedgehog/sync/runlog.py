from django.utils import timezone

__all__ = (
    'RunLog',
)


class RunLog:
    """A bounded log of one sync run: the first `limit` lines are kept, the rest are counted."""

    def __init__(self, limit):
        self.limit = limit
        self.lines = []
        self.dropped = 0

    def __call__(self, message):
        if len(self.lines) < self.limit:
            self.lines.append(f'{timezone.now():%H:%M:%S} {message}')
        else:
            self.dropped += 1

    def text(self):
        tail = [f'... {self.dropped} more line(s) not kept'] if self.dropped else []
        return '\n'.join(self.lines + tail)
