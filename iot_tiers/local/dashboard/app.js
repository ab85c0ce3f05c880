// iot-tiers local dashboard: live readings per device and the alert list, straight from the
// bridge over WebSocket. No build step, no dependencies: the page must work offline.
//
// The token comes from the URL that `tiers local` prints: `#token=<jwt>` (a fragment is never
// sent to a server) or `?token=<jwt>`. Where the bridge is and what to subscribe to come from
// `config.json`, served next to this file.
"use strict";

const MAX_POINTS = 90;          // readings kept (and drawn) per device
const MAX_ALERTS = 100;         // alerts kept in the list
const RANGE = { min: -40, max: 125 };  // what the handler accepts; anything else is invalid

const state = {
  config: null,
  connected: false,
  devices: new Map(),           // deviceId -> {points: [{t, v}], count, invalid, last, humidity}
  alerts: [],                   // newest first: {deviceId, temperature, timestamp, receivedAt}
  readings: 0,
  invalid: 0,
  arrivals: [],                 // arrival times of recent readings, for msg/s
  errors: [],
};
window.tiersDashboard = state;  // for tests and the curious

function tokenFromUrl() {
  const fromHash = new URLSearchParams(location.hash.replace(/^#/, "")).get("token");
  return fromHash || new URLSearchParams(location.search).get("token");
}

function setConnection(stateName, text) {
  const el = document.getElementById("conn");
  el.dataset.state = stateName;
  el.textContent = text;
}

function deviceFromTopic(topic) {
  const levels = topic.split("/");
  return levels[(state.config.deviceLevel || 2) - 1] || topic;
}

function isValidReading(p) {
  return p && typeof p === "object" && typeof p.temperature === "number" && Number.isFinite(p.temperature)
    && p.temperature >= RANGE.min && p.temperature <= RANGE.max
    && (p.humidity == null || (typeof p.humidity === "number" && p.humidity >= 0 && p.humidity <= 100));
}

// Devices send epoch milliseconds, epoch seconds or ISO-8601 (the handler accepts all three).
function readingTime(ts, fallback) {
  if (typeof ts === "number" && Number.isFinite(ts)) return ts >= 1e11 ? ts : ts * 1000;
  const parsed = typeof ts === "string" ? Date.parse(ts) : NaN;
  return Number.isNaN(parsed) ? fallback : parsed;
}

function onTelemetry(topic, payload) {
  const id = deviceFromTopic(topic);
  let d = state.devices.get(id);
  if (!d) {
    d = { points: [], count: 0, invalid: 0, last: null, humidity: null };
    state.devices.set(id, d);
  }
  const now = Date.now();
  state.arrivals.push(now);
  state.readings += 1;
  d.count += 1;
  if (!isValidReading(payload)) {
    d.invalid += 1;
    state.invalid += 1;
    d.lastInvalid = typeof payload === "string" ? payload : JSON.stringify(payload);
  } else {
    const t = readingTime(payload.timestamp, now);
    d.points.push({ t, v: payload.temperature });
    if (d.points.length > MAX_POINTS) d.points.shift();
    d.last = payload.temperature;
    d.humidity = typeof payload.humidity === "number" ? payload.humidity : d.humidity;
  }
  scheduleRender();
}

function onAlert(topic, payload) {
  const alert = typeof payload === "object" && payload ? payload : { message: String(payload) };
  state.alerts.unshift({
    deviceId: alert.deviceId || topic.slice((state.config.alertTopicPrefix || "alerts/").length),
    temperature: alert.temperature,
    threshold: alert.thresholdCelsius,
    timestamp: alert.timestamp,
    receivedAt: Date.now(),
  });
  if (state.alerts.length > MAX_ALERTS) state.alerts.length = MAX_ALERTS;
  scheduleRender();
}

function onFrame(text) {
  let frame;
  try { frame = JSON.parse(text); } catch { return; }
  if (frame.type) {               // a reply to our subscribe, or an error
    if (frame.type === "error") {
      state.errors.push(frame);
      setConnection("error", `bridge: ${frame.error}: ${frame.message}`);
    } else if (frame.type === "subscribed") {
      setConnection("live", `live · ${frame.topics.join(", ")}`);
    }
    return;
  }
  const prefix = state.config.alertTopicPrefix || "alerts/";
  if (frame.topic.startsWith(prefix)) onAlert(frame.topic, frame.payload);
  else onTelemetry(frame.topic, frame.payload);
}

function connect(token, attempt = 0) {
  const url = new URL(state.config.bridgeUrl);
  url.searchParams.set("token", token);
  const ws = new WebSocket(url.toString());
  let opened = false;
  ws.onopen = () => {
    opened = true;
    state.connected = true;
    attempt = 0;
    setConnection("open", "connected, subscribing…");
    ws.send(JSON.stringify({ action: "subscribe", topics: state.config.topics, id: 1 }));
  };
  ws.onmessage = (event) => onFrame(event.data);
  ws.onclose = (event) => {
    state.connected = false;
    if (event.code === 1008) {
      setConnection("error", "the token has expired: restart tiers local and open the new URL");
      return;
    }
    const delay = Math.min(10000, 500 * 2 ** attempt);
    const why = opened ? `disconnected (${event.code || "no code"})`
      : `cannot reach the bridge at ${state.config.bridgeUrl} (is tiers local still running? ` +
        "a token from an earlier run is refused)";
    setConnection("closed", `${why}; retrying in ${(delay / 1000).toFixed(1)} s`);
    setTimeout(() => connect(token, attempt + 1), delay);
  };
}

// ---------------------------------------------------------------------------- rendering
let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(() => { renderQueued = false; render(); }, 200);
}

function card(id) {
  let el = document.querySelector(`.device[data-device="${CSS.escape(id)}"]`);
  if (el) return el;
  el = document.getElementById("device-card").content.firstElementChild.cloneNode(true);
  el.dataset.device = id;
  el.querySelector(".name").textContent = id;
  const container = document.getElementById("devices");
  const after = [...container.children].find((c) => c.dataset.device > id);
  container.insertBefore(el, after || null);
  return el;
}

function render() {
  const threshold = state.config.alertThresholdCelsius;
  for (const [id, d] of state.devices) {
    const el = card(id);
    el.dataset.count = String(d.count);
    el.dataset.last = d.last == null ? "" : String(d.last);
    el.classList.toggle("hot", d.last != null && d.last > threshold);
    el.querySelector(".last").textContent = d.last == null ? "–" : `${d.last.toFixed(1)} °C`;
    el.querySelector(".count").textContent = String(d.count);
    el.querySelector(".invalid").textContent = String(d.invalid);
    el.querySelector(".invalid").title = d.lastInvalid ? `last invalid: ${d.lastInvalid}` : "";
    el.querySelector(".humidity").textContent = d.humidity == null ? "–" : `${d.humidity.toFixed(0)} %`;
    drawChart(el.querySelector("canvas"), d.points, threshold);
  }
  document.getElementById("empty").hidden = state.devices.size > 0;

  const list = document.getElementById("alerts");
  list.replaceChildren(...state.alerts.slice(0, 30).map((a) => {
    const li = document.createElement("li");
    li.dataset.device = a.deviceId;
    const when = a.timestamp ? new Date(a.timestamp) : new Date(a.receivedAt);
    const time = document.createElement("time");
    time.textContent = when.toLocaleTimeString();
    const who = document.createElement("b");
    who.textContent = a.deviceId;
    const what = document.createElement("span");
    what.textContent = typeof a.temperature === "number" ? `${a.temperature.toFixed(1)} °C` : "alert";
    li.append(time, who, what);
    return li;
  }));

  const now = Date.now();
  state.arrivals = state.arrivals.filter((t) => now - t < 5000);
  document.getElementById("total-readings").textContent = String(state.readings);
  document.getElementById("total-devices").textContent = String(state.devices.size);
  document.getElementById("total-rate").textContent = (state.arrivals.length / 5).toFixed(1);
  document.getElementById("total-invalid").textContent = String(state.invalid);
  document.getElementById("total-alerts").textContent = String(state.alerts.length);
}

function drawChart(canvas, points, threshold) {
  const ratio = window.devicePixelRatio || 1;
  const cssW = canvas.clientWidth || 320, cssH = canvas.clientHeight || 110;
  if (canvas.width !== Math.round(cssW * ratio)) {
    canvas.width = Math.round(cssW * ratio);
    canvas.height = Math.round(cssH * ratio);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, cssW, cssH);
  const pad = { l: 34, r: 6, t: 6, b: 14 };
  const w = cssW - pad.l - pad.r, h = cssH - pad.t - pad.b;
  if (!points.length) return;

  const values = points.map((p) => p.v);
  const rawLo = Math.min(...values) - 2, rawHi = Math.max(...values, threshold) + 2;
  const step = [5, 10, 20, 25, 50].find((s) => (rawHi - rawLo) / s <= 5) || 50;  // at most ~5 gridlines
  const lo = Math.floor(rawLo / step) * step, hi = Math.ceil(rawHi / step) * step;
  const t0 = points[0].t, t1 = Math.max(points[points.length - 1].t, t0 + 1);
  const x = (t) => pad.l + ((t - t0) / (t1 - t0)) * w;
  const y = (v) => pad.t + (1 - (v - lo) / (hi - lo)) * h;

  ctx.font = "10px system-ui, sans-serif";
  ctx.fillStyle = "#8a94a6";
  ctx.strokeStyle = "#2a3140";
  ctx.lineWidth = 1;
  for (let v = lo; v <= hi; v += step) {
    ctx.beginPath(); ctx.moveTo(pad.l, y(v)); ctx.lineTo(pad.l + w, y(v)); ctx.stroke();
    ctx.fillText(`${Math.round(v)}°`, 2, y(v) + 3);
  }

  ctx.setLineDash([4, 3]);
  ctx.strokeStyle = "#e5484d";
  ctx.beginPath(); ctx.moveTo(pad.l, y(threshold)); ctx.lineTo(pad.l + w, y(threshold)); ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = "#e5484d";
  ctx.textAlign = "right";
  ctx.fillText(`alert > ${threshold}°`, pad.l + w, y(threshold) - 3);
  ctx.textAlign = "left";

  ctx.strokeStyle = "#4cc38a";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  points.forEach((p, i) => (i ? ctx.lineTo(x(p.t), y(p.v)) : ctx.moveTo(x(p.t), y(p.v))));
  ctx.stroke();

  for (const p of points) {
    if (p.v > threshold) {
      ctx.fillStyle = "#e5484d";
      ctx.beginPath(); ctx.arc(x(p.t), y(p.v), 3, 0, 2 * Math.PI); ctx.fill();
    }
  }
}

// ---------------------------------------------------------------------------- start
async function main() {
  const token = tokenFromUrl();
  state.config = await (await fetch("config.json", { cache: "no-store" })).json();
  document.getElementById("threshold").textContent = String(state.config.alertThresholdCelsius);
  document.getElementById("source").textContent =
    `stack ${state.config.stack} · ${state.config.telemetryFilter}`;
  if (!token) {
    setConnection("error", "no token: open the URL `tiers local` printed (it ends with #token=…)");
    return;
  }
  connect(token);
  setInterval(render, 1000);  // keeps msg/s honest when readings stop
}

main().catch((err) => setConnection("error", `dashboard failed to start: ${err}`));
