/// <reference lib="dom" />
// A sound and a flash for each code read: a short high beep for a new code, a low double buzz for one
// already read or from another print run, so a person need not look at the screen.
import type { ReadEvent } from './station-state.js';

let audio: AudioContext | null = null;

function tone(freq: number, start: number, length: number): void {
  audio ??= new AudioContext();
  const osc = audio.createOscillator(), gain = audio.createGain();
  osc.frequency.value = freq;
  osc.type = freq < 400 ? 'square' : 'sine';
  gain.gain.value = 0.2;
  osc.connect(gain).connect(audio.destination);
  osc.start(audio.currentTime + start);
  osc.stop(audio.currentTime + start + length);
}

export function signalRead(e: ReadEvent): void {
  if (e.kind === 'not-ours') return;
  const fresh = e.kind === 'new' || (e.kind === 'cross-sheet' && e.fresh);
  try {
    if (fresh) tone(1320, 0, 0.08);
    else { tone(220, 0, 0.09); tone(220, 0.14, 0.09); }
  } catch { /* no audio device: the flash still shows */ }
  const flash = document.getElementById('flash')!;
  flash.className = fresh ? 'flash-new' : e.kind === 'other-run' ? 'flash-other' : 'flash-repeat';
  void flash.offsetWidth;
  flash.classList.add('on');
}
