// The timeslider's player: the slider, previous/next and play/pause load each revision's step
// from the server (the same page, which works alone without JavaScript) and swap it in.
const BASE_DELAY_MS = 1000; // at a speed of 1 revision a second
const byId = (id) => document.getElementById(id);

function findParts() {
  const form = byId("timeslider-form");
  const frame = byId("timeslider-frame");
  const slider = byId("ts-revision");
  if (!form || !frame || !slider) return null;
  return {
    form,
    frame,
    slider,
    latest: Number(form.dataset.latest),
    player: byId("ts-player"),
    play: byId("ts-play"),
    speed: byId("ts-speed"),
    show: byId("ts-show"),
    status: byId("ts-status"),
  };
}

function pageUrl(number) {
  const url = new URL(window.location.href);
  url.searchParams.set("revision", String(number));
  return url;
}

class Timeslider {
  constructor(parts) {
    this.parts = parts;
    this.current = Number(parts.slider.value);
    this.timer = null;
    this.loading = null; // the AbortController of the fetch under way
  }

  /** Show revision `number`: fetch its step, swap it in, keep the address in step. */
  async show(number, { announce = true } = {}) {
    const wanted = Math.min(Math.max(number, 1), this.parts.latest);
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    this.setSlider(wanted);
    const url = pageUrl(wanted);
    const response = await fetch(url, { credentials: "same-origin", signal: controller.signal });
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    const html = await response.text();
    if (this.loading !== controller) return false;
    const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("timeslider-frame");
    if (!fresh) throw new Error("the answer held no revision");
    this.parts.frame.replaceChildren(...[...fresh.childNodes].map((node) => document.adoptNode(node)));
    this.current = wanted;
    history.replaceState(null, "", url);
    document.title = document.title.replace(/, revision \d+:/, `, revision ${wanted}:`);
    if (announce) this.parts.status.textContent = `Showing revision ${wanted} of ${this.parts.latest}.`;
    return true;
  }

  setSlider(number) {
    this.parts.slider.value = String(number);
    this.parts.slider.setAttribute("aria-valuetext", `Revision ${number} of ${this.parts.latest}`);
  }

  get playing() {
    return this.timer !== null;
  }

  play() {
    if (this.current >= this.parts.latest) this.current = 0; // play again from the start
    this.parts.play.textContent = "Pause";
    this.parts.play.setAttribute("aria-pressed", "true");
    this.parts.status.textContent = "Playing.";
    this.step();
  }

  pause(message = "Paused.") {
    clearTimeout(this.timer);
    this.timer = null;
    this.parts.play.textContent = "Play";
    this.parts.play.setAttribute("aria-pressed", "false");
    this.parts.status.textContent = `${message} Revision ${this.current} of ${this.parts.latest}.`;
  }

  step() {
    const delay = BASE_DELAY_MS / (Number(this.parts.speed.value) || 1);
    this.timer = setTimeout(async () => {
      try {
        await this.show(this.current + 1, { announce: false });
      } catch (error) {
        if (error.name !== "AbortError") this.pause(`Stopped: ${error.message}.`);
        return;
      }
      if (!this.playing) return;
      if (this.current >= this.parts.latest) this.pause("The last revision.");
      else this.step();
    }, delay);
  }
}

function wire(slider) {
  const { parts } = slider;
  const go = (number) =>
    slider.show(number).catch((error) => {
      if (error.name !== "AbortError") parts.status.textContent = `Could not load it: ${error.message}.`;
    });
  parts.slider.addEventListener("input", () => {
    if (slider.playing) slider.pause();
    go(Number(parts.slider.value));
  });
  parts.form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(Number(parts.slider.value));
  });
  parts.frame.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-revision]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    if (slider.playing) slider.pause();
    go(Number(link.dataset.revision));
  });
  parts.play.addEventListener("click", () => (slider.playing ? slider.pause() : slider.play()));
}

function start() {
  const parts = findParts();
  if (!parts || !(parts.latest > 0)) return;
  parts.player.hidden = false;
  parts.show.hidden = true; // the slider loads as it moves
  wire(new Timeslider(parts));
}

start();
