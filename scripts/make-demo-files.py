#!/usr/bin/env python3
"""Writes the sample documents `tanu demo` attaches (crates/tanu/demo/): a one-page PDF
certificate, a one-page PDF statement, and a PNG standing in for a scanned identity
card. Standard library only; rerun to regenerate."""
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "crates" / "tanu" / "demo"


def pdf(lines):
    """A valid single-page PDF with Helvetica text (ASCII only)."""
    text = "BT /F1 14 Tf 72 760 Td 18 TL\n" + "".join(
        "(" + l.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '\n" for l in lines
    ) + "ET"
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode() + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def png(width, height):
    """An RGB PNG: a pale card with a darker photo box and text-like stripes."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            if 20 <= x < 110 and 30 <= y < 150:
                px = (150, 160, 175)
            elif x >= 130 and (y // 8) % 3 == 0 and 40 <= y < 150 and x < width - 20:
                px = (60, 70, 90)
            elif y < 18:
                px = (11, 93, 122)
            else:
                px = (232, 238, 242)
            row += bytes(px)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


OUT.mkdir(parents=True, exist_ok=True)
(OUT / "certificate.pdf").write_bytes(pdf([
    "IT Academy LLP (BIN 940140000385)",
    "CERTIFICATE of completion No. IT-2026-0017",
    "",
    "This is to certify that Serikbay Aruzhan",
    "completed the course 'Python for data analysis'",
    "10.01.2026 - 20.03.2026, 72 academic hours.",
    "",
    "Learning outcomes:",
    " - writes programs in Python",
    " - tests programs with pytest",
    " - analyses tabular data with pandas",
    "",
    "Issued 25.03.2026.   Director: ____________",
]))
(OUT / "statement.pdf").write_bytes(pdf([
    "To the recognition commission",
    "",
    "Application",
    "I ask to recognise the learning outcomes I obtained",
    "in the course 'Python for data analysis' (IT Academy)",
    "against the discipline 'Programming in Python'.",
    "",
    "Signed: ____________   Date: ____________",
]))
(OUT / "identity.png").write_bytes(png(320, 180))
print("written to", OUT)
