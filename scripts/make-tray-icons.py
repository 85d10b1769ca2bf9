#!/usr/bin/env python3
"""Draws Berth's tray icons as macOS template images (black + alpha), one per
VM state, at 16 px and 32 px (@2x). Run once; the PNGs are committed in assets/."""
import math, struct, sys, zlib

def png(path, size, alpha):
    raw = b''.join(b'\x00' + b''.join(struct.pack('BBBB', 0, 0, 0, alpha(x, y)) for x in range(size)) for y in range(size))
    chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', size, size, 8, 6, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))

def shape(state, size):
    c, r = size / 2, size * 0.42
    def alpha(x, y):
        d = math.hypot(x + 0.5 - c, y + 0.5 - c)
        ring = abs(d - r) < size * 0.07
        inside = d < r
        if state == 'running': return 255 if inside else 0
        if state == 'stopped': return 255 if ring else 0
        if state == 'starting': return 255 if ring or (inside and x + 0.5 < c) else 0
        if state == 'stopping': return 255 if ring or (inside and x + 0.5 >= c) else 0
        if state == 'degraded': return 255 if ring or (inside and y + 0.5 >= c) else 0
        # Asleep: a crescent (the ring's disc minus one shifted right); going to sleep: its outline.
        moon = inside and math.hypot(x + 0.5 - c - r * 0.55, y + 0.5 - c + r * 0.2) > r * 0.8
        if state == 'sleeping': return 255 if moon else 0
        if state == 'suspending': return 255 if ring or moon else 0
        if state == 'error': return 255 if ring or abs((x + 0.5 - c) - (y + 0.5 - c)) < size * 0.07 and inside else 0
    return alpha

out = sys.argv[1] if len(sys.argv) > 1 else 'assets'
for state in ['stopped', 'starting', 'running', 'degraded', 'stopping', 'error', 'suspending', 'sleeping']:
    png(f'{out}/tray-{state}Template.png', 16, shape(state, 16))
    png(f'{out}/tray-{state}Template@2x.png', 32, shape(state, 32))
