/* article-qa chat widget. Include it with one tag:
 *
 *   <script src="https://qa.example.com/widget.js" defer></script>
 *
 * and a chat bubble appears (bottom right) that asks the server the script came from
 * (POST {base}/v1/chat, the whole conversation each time, so follow-ups work). The page
 * of that origin must be listed in ARTICLE_QA_CORS_ORIGINS. Optional attributes:
 *   data-target="id"     render the chat inline in that element (no bubble)
 *   data-lang="ko|en"    UI language (default: from navigator.language)
 *   data-api-base="URL"  API base (default: the script's own folder)
 *   data-api-key="..."   sent as Authorization: Bearer (when ARTICLE_QA_API_KEY is set;
 *                        anyone who loads the page can read it)
 * Text from the server is only ever set with textContent.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__articleQaWidget) return;
  window.__articleQaWidget = true;

  var base = (script.getAttribute("data-api-base") || new URL(".", script.src).href).replace(/\/+$/, "");
  var apiKey = script.getAttribute("data-api-key");
  var targetId = script.getAttribute("data-target");
  var uid = "aqa-" + Math.random().toString(36).slice(2, 8);

  var TEXT = {
    ko: {
      title: "기사 Q&A",
      intro: "뉴스 기사의 문장을 그대로 인용해 답합니다. 출처를 누르면 기사 원문에서 인용한 부분을 볼 수 있습니다.",
      label: "질문",
      placeholder: "예: 엔비디아가 한국에 공급하는 GPU는 몇 장이야?",
      send: "보내기",
      open: "기사 Q&A 열기",
      close: "닫기",
      reset: "새 대화",
      toggle: "English",
      you: "질문",
      bot: "답변",
      thinking: "답을 찾는 중…",
      abstain: "기사에서 이 질문의 답을 찾지 못했습니다.",
      error: "요청을 처리하지 못했습니다: ",
      network: "서버에 연결하지 못했습니다.",
      quote: "인용",
      original: "원문",
    },
    en: {
      title: "Article Q&A",
      intro: "Answers with sentences quoted verbatim from news articles. Follow a source to see the quote in the article.",
      label: "Question",
      placeholder: "e.g. How many GPUs will Nvidia supply to Korea?",
      send: "Send",
      open: "Open Article Q&A",
      close: "Close",
      reset: "New chat",
      toggle: "한국어",
      you: "You",
      bot: "Answer",
      thinking: "Looking for an answer…",
      abstain: "I could not find this in the articles.",
      error: "The request failed: ",
      network: "Could not reach the server.",
      quote: "Quote",
      original: "original",
    },
  };

  var lang = pickLanguage(script.getAttribute("data-lang"));
  var messages = []; // the conversation sent to /v1/chat: {role, content}
  var pending = false;
  var ui = {};

  function pickLanguage(given) {
    if (given === "ko" || given === "en") return given;
    var nav = (navigator.languages && navigator.languages[0]) || navigator.language || "ko";
    return /^ko\b/i.test(nav) ? "ko" : "en";
  }

  function t(key) {
    return TEXT[lang][key];
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      node.setAttribute(name, attrs[name]);
    });
    if (text != null) node.textContent = text;
    return node;
  }

  function addStylesheet() {
    if (document.querySelector("link[data-article-qa]")) return;
    var link = el("link", { rel: "stylesheet", href: base + "/static/widget.css", "data-article-qa": "" });
    document.head.appendChild(link);
  }

  function build() {
    addStylesheet();
    var inline = targetId && document.getElementById(targetId);
    var root = el("div", { class: "aqa-root" + (inline ? " aqa-inline" : " aqa-floating"), lang: lang });
    var panel = el("section", { class: "aqa-panel", id: uid + "-panel", "aria-labelledby": uid + "-title" });
    var header = el("header", { class: "aqa-header" });
    ui.title = el("h2", { id: uid + "-title", class: "aqa-title" });
    ui.toggle = el("button", { type: "button", class: "aqa-lang" });
    ui.reset = el("button", { type: "button", class: "aqa-reset" });
    header.append(ui.title, ui.toggle, ui.reset);
    if (!inline) {
      ui.close = el("button", { type: "button", class: "aqa-close" });
      header.appendChild(ui.close);
    }
    ui.intro = el("p", { class: "aqa-intro" });
    ui.log = el("ol", { class: "aqa-log", "aria-live": "polite", "aria-relevant": "additions", "aria-busy": "false" });
    ui.status = el("p", { class: "aqa-status", role: "status" });
    ui.form = el("form", { class: "aqa-form" });
    ui.label = el("label", { for: uid + "-input", class: "aqa-label" });
    ui.input = el("input", { id: uid + "-input", type: "text", name: "question", autocomplete: "off", required: "" });
    ui.send = el("button", { type: "submit", class: "aqa-send" });
    ui.form.append(ui.label, ui.input, ui.send);
    panel.append(header, ui.intro, ui.log, ui.status, ui.form);

    if (inline) {
      root.appendChild(panel);
      inline.appendChild(root);
    } else {
      ui.bubble = el("button", {
        type: "button",
        class: "aqa-bubble",
        "aria-expanded": "false",
        "aria-controls": uid + "-panel",
      });
      ui.bubble.appendChild(el("span", { "aria-hidden": "true" }, "💬"));
      panel.hidden = true;
      root.append(panel, ui.bubble);
      document.body.appendChild(root);
      ui.bubble.addEventListener("click", function () {
        setOpen(panel.hidden);
      });
      ui.close.addEventListener("click", function () {
        setOpen(false);
      });
      panel.addEventListener("keydown", function (event) {
        if (event.key === "Escape") setOpen(false);
      });
    }
    ui.root = root;
    ui.panel = panel;
    ui.form.addEventListener("submit", onSubmit);
    ui.toggle.addEventListener("click", function () {
      lang = lang === "ko" ? "en" : "ko";
      applyLanguage();
    });
    ui.reset.addEventListener("click", function () {
      messages = [];
      ui.log.textContent = "";
      ui.status.textContent = "";
      ui.input.focus();
    });
    applyLanguage();
  }

  function setOpen(open) {
    ui.panel.hidden = !open;
    ui.bubble.setAttribute("aria-expanded", String(open));
    if (open) ui.input.focus();
    else ui.bubble.focus();
  }

  function applyLanguage() {
    ui.root.setAttribute("lang", lang);
    ui.title.textContent = t("title");
    ui.intro.textContent = t("intro");
    ui.label.textContent = t("label");
    ui.input.placeholder = t("placeholder");
    ui.send.textContent = t("send");
    ui.reset.textContent = t("reset");
    ui.toggle.textContent = t("toggle");
    ui.toggle.setAttribute("lang", lang === "ko" ? "en" : "ko");
    if (ui.close) ui.close.textContent = t("close");
    if (ui.bubble) ui.bubble.setAttribute("aria-label", t("open"));
  }

  function onSubmit(event) {
    event.preventDefault();
    var question = ui.input.value.trim();
    if (!question || pending) return;
    ui.input.value = "";
    addUserMessage(question);
    messages.push({ role: "user", content: question });
    ask();
  }

  function ask() {
    pending = true;
    ui.send.disabled = true;
    ui.log.setAttribute("aria-busy", "true");
    ui.status.textContent = t("thinking");
    var headers = { "Content-Type": "application/json" };
    if (apiKey) headers.Authorization = "Bearer " + apiKey;
    fetch(base + "/v1/chat", { method: "POST", headers: headers, body: JSON.stringify({ messages: messages }) })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(t("error") + ((body.error && body.error.message) || response.status));
          return body;
        });
      })
      .then(function (answer) {
        addAnswer(answer);
        messages.push({ role: "assistant", content: answer.answered ? answer.answer : t("abstain") });
      })
      .catch(function (error) {
        messages.pop(); // the question was not answered: ask it again later
        addNote(error instanceof TypeError ? t("network") : error.message, "aqa-error");
      })
      .then(function () {
        pending = false;
        ui.send.disabled = false;
        ui.log.setAttribute("aria-busy", "false");
        ui.status.textContent = "";
        ui.input.focus();
      });
  }

  function addItem(kind, who) {
    var item = el("li", { class: "aqa-msg aqa-" + kind });
    item.appendChild(el("span", { class: "aqa-who" }, who));
    ui.log.appendChild(item);
    return item;
  }

  function addUserMessage(text) {
    addItem("user", t("you")).appendChild(el("p", { class: "aqa-text" }, text));
    scrollDown();
  }

  function addNote(text, cls) {
    addItem("bot", t("bot")).appendChild(el("p", { class: "aqa-text " + cls }, text));
    scrollDown();
  }

  function articleLink(citation) {
    return (
      base + "/articles/" + encodeURIComponent(citation.article_id) +
      "?start=" + citation.char_start + "&end=" + citation.char_end + "#quote"
    );
  }

  // The quote, with the answer the server found in it (answer_span, in code points) in
  // <strong>: bold, so it does not rest on colour, and read as emphasis.
  function quoteText(quote) {
    var p = el("p");
    var span = quote.answer_span;
    var chars = Array.from(quote.text);
    if (
      !span || typeof span.start !== "number" || typeof span.end !== "number" ||
      span.start < 0 || span.end > chars.length || span.start >= span.end
    ) {
      p.textContent = quote.text;
      return p;
    }
    p.appendChild(document.createTextNode(chars.slice(0, span.start).join("")));
    p.appendChild(el("strong", { class: "aqa-answer" }, chars.slice(span.start, span.end).join("")));
    p.appendChild(document.createTextNode(chars.slice(span.end).join("")));
    return p;
  }

  function addAnswer(answer) {
    if (!answer.answered || !answer.quotes.length) {
      addNote(t("abstain"), "aqa-abstain");
      return;
    }
    var item = addItem("bot", t("bot"));
    var list = el("ol", { class: "aqa-quotes" });
    answer.quotes.forEach(function (quote, i) {
      var c = quote.citation;
      var entry = el("li", { class: "aqa-quote-item" });
      var block = el("blockquote", { class: "aqa-quote", cite: articleLink(c) });
      block.appendChild(quoteText(quote));
      var source = el("p", { class: "aqa-cite" });
      source.appendChild(el("span", { class: "aqa-mark" }, "[" + (i + 1) + "] "));
      var link = el("a", { href: articleLink(c), target: "_blank", rel: "noopener", class: "aqa-cite-link" }, c.title);
      source.appendChild(link);
      if (c.published) {
        var day = c.published.slice(0, 10);
        source.appendChild(document.createTextNode(" · "));
        source.appendChild(el("time", { datetime: day }, day));
      }
      if (c.source) source.appendChild(document.createTextNode(" · " + c.source));
      if (c.url && /^https?:\/\//i.test(c.url)) {
        source.appendChild(document.createTextNode(" · "));
        source.appendChild(el("a", { href: c.url, target: "_blank", rel: "noopener noreferrer", class: "aqa-original" }, t("original")));
      }
      entry.append(block, source);
      list.appendChild(entry);
    });
    item.appendChild(list);
    scrollDown();
  }

  function scrollDown() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", build);
  else build();
})();
