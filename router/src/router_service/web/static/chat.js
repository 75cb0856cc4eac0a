// 하루 web chat: history on load, send on Enter, proposal buttons, live replies over SSE.
(() => {
  "use strict";

  const log = document.getElementById("log");
  const welcome = document.getElementById("welcome");
  const form = document.getElementById("composer");
  const input = document.getElementById("input");
  const sendButton = document.getElementById("send");
  const typing = document.getElementById("typing");
  const toast = document.getElementById("toast");
  const count = document.getElementById("count");
  const accountButton = document.getElementById("account");

  const MAX_CHARS = 2000;
  // A choice is open while Haru waits for it: an event to pick, or a day ("언제로 할까요?").
  // A ✅ reply ("result") keeps its [되돌리기] while its action is done (and in time).
  const OPEN_STATES = {
    proposal: ["proposed"], choice: ["awaiting_choice", "awaiting_date"], scope: ["awaiting_scope"],
    result: ["done"],
  };
  const STATE_TEXT = {
    done: "완료됨", rejected: "취소됨", expired: "만료됨", superseded: "새 요청으로 바뀜",
    failed: "실패함", executing: "처리 중", approved: "승인됨", awaiting_auth: "연결 대기 중",
    undoing: "되돌리는 중", undone: "되돌림",
  };
  const rendered = new Map(); // message id → element
  const actionRows = new Map(); // action id → [elements with buttons]
  let lastId = 0;
  let pending = 0;
  let stream = null;

  async function api(path, options = {}) {
    const response = await fetch(path, {
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      ...options,
    });
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    if (!response.ok) {
      const message = body && body.error ? body.error.message : "요청을 처리하지 못했어요.";
      const error = new Error(message);
      error.code = body && body.error ? body.error.code : null;
      throw error;
    }
    return body;
  }

  // The browser's IANA zone ("America/New_York"): Haru reads "내일 3시" in it.
  function browserZone() {
    try {
      const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      return typeof zone === "string" && zone ? zone : null;
    } catch (_) {
      return null;
    }
  }

  // The first visit's session (and its cookie) is made once: a message sent before it
  // exists would make a second session, and the stream would follow the other one.
  let sessionReady = null;
  function chatSession() {
    if (!sessionReady) sessionReady = api("/api/chat/session");
    return sessionReady;
  }

  async function postMessage(text) {
    try { await chatSession(); } catch (_) { sessionReady = null; }
    const zone = browserZone();
    const post = (body) => api("/api/chat/messages", { method: "POST", body: JSON.stringify(body) });
    if (!zone) return post({ text });
    try {
      return await post({ text, time_zone: zone });
    } catch (error) {
      // A zone the server does not know: send again in Haru's default zone.
      if (error.code === "datetime.zone_unknown") return post({ text });
      throw error;
    }
  }

  function showError(message) {
    toast.textContent = message;
    toast.hidden = false;
    clearTimeout(showError.timer);
    showError.timer = setTimeout(() => { toast.hidden = true; }, 5000);
  }

  function setTyping(on) {
    pending += on ? 1 : -1;
    typing.hidden = pending <= 0;
    if (!typing.hidden) scrollDown();
  }

  function scrollDown() {
    requestAnimationFrame(() => { log.scrollTop = log.scrollHeight; });
  }

  function timeLabel(iso) {
    const date = new Date(iso);
    return date.toLocaleTimeString("ko-KR", { hour: "numeric", minute: "2-digit" });
  }

  function busy(actionId) {
    // While a decision is on its way, no second click on that action.
    for (const row of actionRows.get(actionId) || []) {
      row.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    }
  }

  function applyState(actionId, state) {
    // Buttons of a row stay usable only while the action is in that row's open state.
    for (const row of actionRows.get(actionId) || []) {
      const open = (OPEN_STATES[row.dataset.kind] || []).includes(state);
      row.querySelectorAll("button").forEach((b) => { b.disabled = !open; });
      let note = row.querySelector(".state");
      const text = open ? "" : STATE_TEXT[state] || "";
      if (text && !note) {
        note = document.createElement("div");
        note.className = "state";
        row.insertBefore(note, row.querySelector(".time"));
      }
      if (note) {
        note.textContent = text;
        note.hidden = !text;
      }
    }
  }

  function renderActions(message, row) {
    const payload = message.payload;
    if (!payload) return;
    const box = document.createElement("div");
    box.className = "actions";
    const actionId = payload.action_id;
    const open = (OPEN_STATES[payload.kind] || []).includes(message.action_state);
    row.dataset.kind = payload.kind;
    if (payload.kind === "proposal") {
      for (const button of payload.buttons || []) {
        const el = document.createElement("button");
        el.type = "button";
        el.textContent = button.label;
        el.dataset.decision = button.decision;
        if (button.style === "primary") el.className = "primary";
        el.disabled = !open;
        el.addEventListener("click", () => decide(actionId, button.decision));
        box.appendChild(el);
      }
    }
    if (payload.kind === "result" && payload.undo) {
      const el = document.createElement("button");
      el.type = "button";
      el.className = "undo";
      el.textContent = payload.undo.label || "되돌리기";
      el.dataset.decision = "undo";
      el.disabled = !open;
      el.addEventListener("click", () => decide(actionId, "undo"));
      box.appendChild(el);
    }
    if (payload.kind === "choice" || payload.kind === "scope") {
      // A scope question ([이번만] [이후 전부] [전체]) answers like a numbered choice.
      for (const choice of payload.choices || []) {
        const el = document.createElement("button");
        el.type = "button";
        el.className = "choice";
        el.textContent = payload.kind === "scope" || choice.short_label
          ? choice.short_label || choice.label
          : `${choice.choice}. ${choice.label}`;
        el.disabled = !open;
        el.addEventListener("click", () => decide(actionId, "choose", choice.choice));
        box.appendChild(el);
      }
    }
    if (payload.link && payload.link.url) {
      const a = document.createElement("a");
      a.className = "link";
      a.href = payload.link.url;
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = payload.link.label || "열기";
      box.appendChild(a);
    }
    if (!box.childElementCount) return;
    row.appendChild(box);
    const buttons = ["proposal", "choice", "scope"].includes(payload.kind) || payload.undo;
    if (actionId != null && buttons) {
      if (!actionRows.has(actionId)) actionRows.set(actionId, []);
      actionRows.get(actionId).push(row);
    }
  }

  function render(message) {
    if (rendered.has(message.id)) return;
    welcome.hidden = true;
    const row = document.createElement("div");
    row.className = `row ${message.role}`;
    row.dataset.id = message.id;
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    bubble.textContent = message.text;
    row.appendChild(bubble);
    renderActions(message, row);
    const time = document.createElement("div");
    time.className = "time";
    time.textContent = timeLabel(message.created_at);
    row.appendChild(time);
    // Keep the log ordered by id even when the stream and a response race.
    let before = null;
    for (const [id, el] of rendered) {
      if (id > message.id && (!before || id < Number(before.dataset.id))) before = el;
    }
    log.insertBefore(row, before);
    rendered.set(message.id, row);
    lastId = Math.max(lastId, message.id);
    scrollDown();
  }

  function renderAll(messages) {
    // Every message names the current state of its action: the newest word wins.
    for (const message of messages) {
      render(message);
      const payload = message.payload;
      if (payload && payload.action_id != null && message.action_state) {
        applyState(payload.action_id, message.action_state);
      }
    }
  }

  async function refreshStates() {
    // After a typed answer ("네", "아니", "2번") earlier buttons may be stale.
    try {
      const data = await api("/api/chat/messages");
      renderAll(data.messages);
    } catch (_) { /* the next message will refresh them */ }
  }

  async function send(text) {
    const trimmed = text.trim();
    if (!trimmed) return;
    if (text.length > MAX_CHARS) {
      showError(`메시지가 너무 길어요. ${MAX_CHARS}자 이내로 보내 주세요.`);
      return;
    }
    askNotificationPermission(trimmed);
    input.value = "";
    autosize();
    setTyping(true);
    try {
      const data = await postMessage(text);
      renderAll(data.messages);
      refreshStates();
    } catch (error) {
      showError(error.message);
      input.value = text;
      autosize();
    } finally {
      setTyping(false);
      input.focus();
    }
  }

  async function decide(actionId, decision, choice) {
    busy(actionId);
    setTyping(true);
    try {
      const body = { decision };
      if (choice != null) body.choice = choice;
      const data = await api(`/api/chat/actions/${actionId}/decision`, {
        method: "POST",
        body: JSON.stringify(body),
      });
      renderAll(data.messages);
    } catch (error) {
      showError(error.message);
    } finally {
      setTyping(false);
      input.focus();
      refreshStates();
    }
  }

  function connectStream() {
    if (!window.EventSource) return;
    if (stream) stream.close();
    stream = new EventSource(`/api/chat/stream?after_id=${lastId}`);
    stream.addEventListener("message", (event) => {
      try {
        const message = JSON.parse(event.data);
        const fresh = !rendered.has(message.id);
        renderAll([message]);
        if (fresh) notify(message);
      } catch (_) { /* ignore a malformed event */ }
    });
  }

  // Reminders and the morning agenda also come as browser notifications, once the person
  // allowed them (asked when they first ask Haru to remind them: a click or Enter).
  const PROACTIVE_KINDS = ["reminder", "agenda"];
  const ASKS_TO_NOTIFY = /알려|알림|브리핑|요약\s*보내/;

  function askNotificationPermission(text) {
    if (!("Notification" in window) || Notification.permission !== "default") return;
    if (ASKS_TO_NOTIFY.test(text)) Notification.requestPermission().catch(() => {});
  }

  function notify(message) {
    const kind = message.payload && message.payload.kind;
    if (!PROACTIVE_KINDS.includes(kind)) return;
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    try {
      const note = new Notification("하루", { body: message.text, tag: `haru-${message.id}` });
      note.onclick = () => { window.focus(); note.close(); };
    } catch (_) { /* some browsers allow notifications only from a service worker */ }
  }

  function autosize() {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
    const length = input.value.length;
    count.hidden = length < MAX_CHARS - 200;
    count.textContent = `${length}/${MAX_CHARS}`;
    count.classList.toggle("over", length > MAX_CHARS);
  }

  input.addEventListener("input", autosize);
  input.addEventListener("keydown", (event) => {
    // Korean IME: Enter that finishes composing a syllable must not send.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      send(input.value);
    }
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(input.value);
  });
  welcome.addEventListener("click", (event) => {
    const chip = event.target.closest(".chip");
    if (chip) send(chip.textContent);
  });
  accountButton.addEventListener("click", async () => {
    const opened = window.open("about:blank", "_blank");
    try {
      const link = await api("/api/chat/account-link");
      if (opened) opened.location.href = link.url;
      else window.location.href = link.url;
    } catch (error) {
      if (opened) opened.close();
      showError(error.message);
    }
  });

  async function start() {
    try {
      const session = await chatSession();
      if (session.google_email) {
        document.getElementById("who").textContent = ` · ${session.google_email}`;
      }
      const history = await api("/api/chat/messages");
      renderAll(history.messages);
      if (!history.messages.length) welcome.hidden = false;
    } catch (error) {
      welcome.hidden = false;
      showError(error.message);
    }
    connectStream();
    input.focus();
  }

  start();
})();
