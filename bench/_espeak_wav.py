"""The baseline's synthesizer: libespeak-ng writes a WAV of a text file, as espeak-ng would.

Usage: python bench/_espeak_wav.py TEXT_FILE OUT_WAV [VOICE] [RATE]
(The espeak-ng command is not installed here; this drives the same library the same way, in
its own process, synchronously, with the sentence pauses the CLI adds.)
"""

from __future__ import annotations

import ctypes
import sys
import wave

import espeakng_loader


def main() -> None:
    text_path, out_path = sys.argv[1], sys.argv[2]
    voice = sys.argv[3] if len(sys.argv) > 3 else "en-us"
    rate = int(sys.argv[4]) if len(sys.argv) > 4 else 170
    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    callback_type = ctypes.CFUNCTYPE(
        ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
    )
    chunks: list[bytes] = []

    def on_audio(wav: ctypes._Pointer[ctypes.c_short], n: int, _events: int) -> int:
        if wav and n > 0:
            chunks.append(ctypes.string_at(wav, n * 2))
        return 0

    keep = callback_type(on_audio)
    sample_rate = lib.espeak_Initialize(2, 0, espeakng_loader.get_data_path().encode(), 0)
    lib.espeak_SetSynthCallback(keep)
    lib.espeak_SetVoiceByName(voice.encode())
    lib.espeak_SetParameter(1, rate, 0)
    with open(text_path, encoding="utf-8") as handle:
        text = handle.read().encode("utf-8")
    # CHARS_UTF8 | ENDPAUSE, one call for the whole text as the CLI does per input.
    lib.espeak_Synth(text, len(text) + 1, 0, 1, 0, 0x1 | 0x1000, None, None)
    with wave.open(out_path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(b"".join(chunks))


if __name__ == "__main__":
    main()
