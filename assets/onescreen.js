/* OneScreen page helpers: the connection state from the server's stream heartbeat, and the wall clock.
   The state is "live" only while the server's push loop is really beating: a socket that is open but whose loop
   has stalled must not look live. */
(function () {
  var LIVE_MS = 5000, OFFLINE_MS = 15000, RESTART_AFTER_MS = 6000;
  var lastBeat = 0, lastOk = false, lastRestart = Date.now();

  function heartbeat(beat) {
    lastBeat = Date.now();
    lastOk = !!(beat && beat.ok);
    paintState();
    return lastBeat;
  }

  function stateNow() {
    var age = Date.now() - lastBeat;
    if (lastBeat && lastOk && age < LIVE_MS) return "live";
    if (!lastBeat || age < OFFLINE_MS) return "reconnecting";
    return "offline";
  }

  function paintState() {
    var el = document.getElementById("connection-state");
    if (!el) return;
    var state = stateNow();
    if (el.getAttribute("data-state") !== state) {
      el.setAttribute("data-state", state);
      el.textContent = el.getAttribute("data-" + state) || state;
    }
  }

  function paintClock() {
    var el = document.getElementById("wall-clock");
    if (!el) return;
    var zone = el.getAttribute("data-zone") || "Asia/Shanghai";
    var lang = (document.querySelector(".wall") || document.documentElement).getAttribute("lang") || "zh-CN";
    el.textContent = new Date().toLocaleString(lang === "en" ? "en-GB" : "zh-CN", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
      weekday: "short", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
    });
  }

  /* The push loop's watchdog: no beat for a while means the loop is gone or stranded on a socket the page no longer
     uses; bumping the restart store starts a fresh loop on the live socket (dashboards/_alert_push.py). */
  function watchdog(restarts) {
    var now = Date.now();
    if (now - Math.max(lastBeat, lastRestart) < RESTART_AFTER_MS) return window.dash_clientside.no_update;
    lastRestart = now;
    return (restarts || 0) + 1;
  }

  /* Extreme and severe alerts: a pop-up, a chime from assets/sounds, and for extreme ones a flashing border.
     Browsers refuse audio before a user gesture (unless the kiosk starts with
     --autoplay-policy=no-user-gesture-required): then a one-click "enable sound" button appears. */
  function chime() {
    var audio = document.getElementById("alert-sound");
    if (!audio || !audio.play || !audio.paused) return;  // one chime at a time, however fast alerts arrive
    var played = audio.play();
    if (played && played.catch) {
      played.catch(function () {
        var button = document.getElementById("sound-enable");
        if (button && button.hidden) window.dash_clientside.set_props("sound-enable", { hidden: false });
      });
    }
  }

  /* The flashing border is a class on the wall's root set here, not through Dash: a className output on the root
     would make React re-render the whole wall (maps and charts included) for every urgent alert. */
  function flash(on) {
    var root = document.getElementById("wall-root");
    if (root) root.classList.toggle("flash-extreme", !!on);
  }

  function popup(data, _close, _enable) {
    var no = window.dash_clientside.no_update;
    var trigger = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
    if (trigger.indexOf("sound-enable") === 0) {
      window.dash_clientside.set_props("sound-enable", { hidden: true });
      chime();
      return [no, no];
    }
    if (trigger.indexOf("alert-popup-close") === 0 || !data) {
      flash(false);
      return ["alert-popup", no];
    }
    chime();
    if (data.severity === "extreme") flash(true);
    var text = data.time + " " + data.headline + (data.count > 1 ? " ×" + data.count : "");
    return ["alert-popup is-open severity-" + data.severity, text];
  }

  window.onescreen = { heartbeat: heartbeat, stateNow: stateNow, watchdog: watchdog, popup: popup };
  setInterval(function () { paintState(); paintClock(); }, 1000);
})();
