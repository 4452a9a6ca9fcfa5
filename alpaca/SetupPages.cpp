// SPDX-License-Identifier: GPL-3.0-or-later
#include "alpaca/SetupPages.hpp"

#include "alpaca/AlpacaError.hpp"
#include "alpaca/CameraDevice.hpp"
#include "alpaca/FocuserDevice.hpp"
#include "alpaca/Parameters.hpp"
#include "config/AtomicFile.hpp"
#include "config/Log.hpp"
#include "config/SettingsSchema.hpp"
#include "config/Text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <random>
#include <span>
#include <stdexcept>
#include <string_view>

namespace sonyalpaca::alpaca {
namespace {
using Json = nlohmann::ordered_json;

constexpr const char* kHtml = "text/html; charset=utf-8";
constexpr const char* kText = "text/plain; charset=utf-8";

/// The settings the form offers, in its order.
constexpr std::string_view kFormKeys[] = {"lens",     "focuser_homing", "focuser_rehome_sigma", "focuser_approach",
                                          "focuser_backlash", "raw_type", "keep_raw", "save_fits", "image_dir"};

/// Night colours: dim reds on black keep dark adaptation.
constexpr const char* kStyle = R"css(
:root{color-scheme:dark}
body{background:#000;color:#c33;font:16px/1.4 system-ui,sans-serif;margin:0;padding:.6em;max-width:46em}
h1{font-size:1.3em;margin:.2em 0}h2{font-size:1.1em;margin:1em 0 .4em;border-bottom:1px solid #411}
a{color:#e55}.sub{color:#822;margin:0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15em .8em;margin:0}dt{color:#922}dd{margin:0}
button,select,input{background:#180000;color:#e44;border:1px solid #622;border-radius:.3em;font:inherit;padding:.45em .6em}
button{min-width:3em;min-height:2.6em}button:active{background:#400}
.jog{display:grid;grid-template-columns:repeat(7,1fr);gap:.3em;margin:.3em 0}.jog button{padding:.4em 0;min-width:0}
.row{display:flex;gap:.5em;flex-wrap:wrap;margin:.4em 0}.inline{display:inline}
.stop{border-color:#a22;color:#f55}
label{display:block;margin:.5em 0 .15em;color:#922}.field input,.field select{width:100%;box-sizing:border-box}
.msg{padding:.5em;border:1px solid #622;border-radius:.3em}.err{border-color:#c22;color:#f66}
.help{color:#822;font-size:.9em}
pre{background:#0a0000;color:#a33;font-size:.75em;overflow:auto;max-height:24em;padding:.4em;white-space:pre-wrap}
table{border-collapse:collapse}td,th{padding:.15em .6em .15em 0;text-align:left}
button:disabled{opacity:.35}
ol{margin:.3em 0;padding-left:1.4em}li{margin:.2em 0}
progress{-webkit-appearance:none;appearance:none;width:100%;height:1.1em;border:1px solid #622;border-radius:.3em;background:#180000;overflow:hidden}
progress::-webkit-progress-bar{background:#180000}progress::-webkit-progress-value{background:#a22}
progress::-moz-progress-bar{background:#a22}code{overflow-wrap:anywhere}
.preview{display:block;width:100%;max-width:640px;height:auto;border:1px solid #411;background:#080000}
[hidden]{display:none!important}
)css";

/// The page's script, before the panels' own: `sonyalpaca.panel({update: function(status) {...}})`
/// registers a panel, whose update runs with every GET /setup/status.json (every 2 s and after each
/// command). Forms of class "cmd" are sent in the background (with the button that sent them); the
/// reply's text goes to the element named by the form's data-out.
constexpr const char* kScript = R"js(
(function(){
var sa=window.sonyalpaca={panels:[],status:null};
sa.text=function(id,text){var e=document.getElementById(id);if(e)e.textContent=text;};
sa.panel=function(panel){sa.panels.push(panel);if(sa.status)panel.update(sa.status);};
sa.refresh=function(){
 return fetch('/setup/status.json',{cache:'no-store'}).then(function(r){return r.json();}).then(function(s){
  sa.status=s;
  for(var i=0;i<sa.panels.length;++i){try{sa.panels[i].update(s);}catch(e){if(window.console)console.error(e);}}
  sa.text('f-server','online');
 }).catch(function(){sa.text('f-server','no answer from the server');});
};
sa.send=function(form,submitter){
 var data=new URLSearchParams(new FormData(form));
 if(submitter&&submitter.name)data.append(submitter.name,submitter.value);
 var out=document.getElementById(form.getAttribute('data-out')||'');
 var show=function(text,ok){if(out){out.textContent=text;out.className=ok?'msg':'msg err';}};
 return fetch(form.action,{method:'POST',body:data}).then(function(r){return r.text().then(function(t){
  show(t,r.ok);sa.refresh();});}).catch(function(){show('no answer from the server',false);});
};
document.addEventListener('submit',function(ev){
 var form=ev.target;if(!form.classList||!form.classList.contains('cmd'))return;
 ev.preventDefault();sa.send(form,ev.submitter);
});
setInterval(sa.refresh,2000);
})();
)js";

/// The status fields: every element "f-" + key of status.json's fields, in any panel.
constexpr const char* kStatusScript = R"js(
sonyalpaca.panel({update:function(s){for(var k in s.fields)sonyalpaca.text('f-'+k,s.fields[k]);}});
)js";

/// The log tail, kept scrolled to the end unless the reader scrolled up.
constexpr const char* kLogScript = R"js(
(function(){
var log=document.getElementById('log-lines');if(!log)return;
log.scrollTop=log.scrollHeight;
sonyalpaca.panel({update:function(s){
 var end=log.scrollTop+log.clientHeight>=log.scrollHeight-4;
 log.textContent=s.log.join('\n');if(end)log.scrollTop=log.scrollHeight;
}});
})();
)js";

/// Loads the preview again when status.json names a newer frame.
constexpr const char* kPreviewScript = R"js(
(function(){
var img=document.getElementById('preview-image');if(!img)return;
var shown=Number(img.getAttribute('data-frame')||0);
sonyalpaca.panel({update:function(s){
 var p=s.preview;if(!p||p.number===shown)return;
 shown=p.number;img.src='/setup/preview.jpg?frame='+p.number;img.hidden=false;img.setAttribute('data-frame',p.number);
}});
})();
)js";

/// The lens-learning wizard: Start only while the focuser is connected and not learning, Cancel only
/// while it learns, the jog and home buttons off while it learns; the progress, then the result or
/// the error, from status.json ("focuser"."learning" and "learn").
constexpr const char* kLearnScript = R"js(
(function(){
var sa=sonyalpaca,$=function(id){return document.getElementById(id);};
var start=$('learn-start');if(!start)return;
var was=false;
sa.panel({update:function(s){
 var f=s.focuser||{},l=f.learning||{},w=s.learn||{},on=!!f.connected,active=!!l.active;
 if(was&&!active){var r=$('learn-result');r.textContent='';r.className='';}  // its answer to Start is old now
 was=active;
 start.disabled=!on||active;$('learn-cancel').disabled=!active;
 var moves=document.querySelectorAll('#focus .jog button,#home');
 for(var i=0;i<moves.length;++i)moves[i].disabled=active;
 $('learn-name').placeholder=w.default_name||'';
 $('learn-state').hidden=on;
 $('learn-progress').hidden=!active;
 if(active){$('learn-bar').value=l.percent||0;sa.text('learn-percent',(l.percent||0)+' %');
  sa.text('learn-phase',l.phase||'');sa.text('learn-message',l.message||'');}
 $('learn-error').hidden=!w.error;sa.text('learn-error',w.error||'');
 $('learn-done').hidden=!w.done;
 if(w.done){sa.text('learn-summary',l.result||'');sa.text('learn-file',l.profile_file||'not saved');
  sa.text('learn-hint',w.hint||'');}
 var lens=$('s-lens');
 if(lens&&w.learned_id){
  var known=false;for(var k=0;k<lens.options.length;++k)known=known||lens.options[k].value===w.learned_id;
  if(!known){var o=document.createElement('option');o.value=w.learned_id;o.textContent=w.learned_option;lens.appendChild(o);}
 }
}});
})();
)js";

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out.push_back(c);
        }
    }
    return out;
}

std::string fixed(double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

/// "21:53:01" in UTC.
std::string utcTime(std::chrono::system_clock::time_point when) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &utc);
    return text;
}

std::string makeToken() {
    std::random_device random;
    std::string token;
    for (int i = 0; i < 4; ++i) {
        char part[9];
        std::snprintf(part, sizeof part, "%08x", static_cast<unsigned>(random()));
        token += part;
    }
    return token;
}

bool sameToken(std::string_view a, std::string_view b) {
    if (a.size() != b.size() || a.empty()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

/// "http://host:port/path" -> "host:port", lower case.
std::string hostOf(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) return {};
    url.remove_prefix(scheme + 3);
    return text::asciiLower(url.substr(0, url.find_first_of("/?#")));
}

const std::string* field(const KeyValues& form, std::string_view key) {
    const std::string* found = nullptr;
    for (const auto& [name, value] : form)
        if (name == key) found = &value;
    return found;
}
/// A pointer into a temporary form would dangle at the end of the statement.
const std::string* field(KeyValues&& form, std::string_view key) = delete;

/// Why `name` cannot name a learned lens profile, or empty when it can: at most 100 bytes of UTF-8
/// text without control characters.
std::string badLensName(std::string_view name) {
    if (name.size() > 100)
        return "the name is " + std::to_string(name.size()) +
               " bytes long; at most 100 (a letter outside ASCII takes 2 to 4)";
    for (std::size_t i = 0; i < name.size();) {
        const auto lead = static_cast<unsigned char>(name[i]);
        const std::size_t length = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3
                                                 : (lead & 0xF8) == 0xF0    ? 4
                                                                            : 0;
        if (length == 0 || i + length > name.size()) return "the name is not UTF-8 text";
        std::uint32_t code = length == 1 ? lead : lead & (0x7Fu >> length);
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(name[i + k]);
            if ((next & 0xC0) != 0x80) return "the name is not UTF-8 text";
            code = code << 6 | (next & 0x3Fu);
        }
        constexpr std::uint32_t kShortest[] = {0, 0, 0x80, 0x800, 0x10000};
        if (code < kShortest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
            return "the name is not UTF-8 text";
        if (code < 0x20 || (code >= 0x7F && code < 0xA0))
            return "the name holds a control character (at byte " + std::to_string(i + 1) +
                   "); use letters, digits, spaces and punctuation";
        i += length;
    }
    return {};
}

/// The focuser's "learning" object of its status, with every key even while it is not connected.
nlohmann::json learningOf(const nlohmann::json& focuser) {
    nlohmann::json learning{{"active", false}, {"phase", ""},        {"percent", 0}, {"message", ""},
                            {"result", ""},    {"profile_file", ""}, {"error", ""}};
    const auto found = focuser.find("learning");
    if (found != focuser.end() && found->is_object())
        for (const auto& [key, value] : found->items()) learning[key] = value;
    return learning;
}

bool namesLens(const nlohmann::json& focuser, const std::string& reported) {
    return !reported.empty() && (text::equalsIgnoringCase(focuser.value("lens", std::string()), reported) ||
                                 text::equalsIgnoringCase(focuser.value("lens_name", std::string()), reported));
}

const char* stateName(ptp::BodyState state) {
    switch (state) {
    case ptp::BodyState::Disconnected: return "closed";
    case ptp::BodyState::Idle: return "idle";
    case ptp::BodyState::Exposing: return "exposing";
    case ptp::BodyState::Downloading: return "downloading";
    case ptp::BodyState::Busy: return "busy";
    }
    return "unknown";
}

template <typename T>
T* deviceOf(const DeviceRegistry& registry, std::string_view type) {
    return dynamic_cast<T*>(registry.find(type, 0));
}

/// The config file as a JSON object; an absent file is an empty object. Throws std::runtime_error
/// when it cannot be read or is not one JSON object.
Json readConfig(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Json::object();
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    Json document = Json::parse(in, nullptr, false);
    if (document.is_discarded() || !document.is_object())
        throw std::runtime_error(path.string() + " is not one JSON object; fix it by hand before saving from here");
    return document;
}

Json toJson(const config::SettingValue& value) {
    return std::visit([](const auto& v) { return Json(v); }, value);
}

const config::SettingKey* schemaKey(std::string_view name) {
    for (const auto& key : config::settingKeys())
        if (key.key == name) return &key;
    return nullptr;
}

/// One status field per id ("f-ID" in the page), as text: the page renders them and the script
/// replaces them from status.json, so both show the same words.
Json statusFields(const DeviceRegistry& registry, const SetupContext& context) {
    Json f;
    f["server"] = "online";
    auto* camera = deviceOf<CameraDevice>(registry, "camera");
    auto* focuser = deviceOf<FocuserDevice>(registry, "focuser");
    if (context.session) {
        const auto& body = context.session->body();
        f["body"] = body.describe();
        f["body_state"] = stateName(body.state());
        const auto lens = context.session->reportedLens();
        f["lens_reported"] = lens.empty() ? "not reported yet" : lens;
        const auto celsius = context.session->temperature();
        f["temperature"] = celsius ? fixed(*celsius, 1) + " °C" : "not known yet (it comes with an image)";
    } else {
        f["body"] = "none";
        f["body_state"] = "none";
        f["lens_reported"] = "not reported";
        f["temperature"] = "not known";
    }
    f["camera_connected"] = camera ? (camera->connected() ? "yes" : camera->connecting() ? "connecting" : "no") : "none";
    const auto preview = camera ? camera->preview() : nullptr;
    f["last_frame"] = preview ? "#" + std::to_string(preview->number) + ", " + fixed(preview->seconds, 3) + " s at " +
                                    utcTime(preview->start) + " UTC, " + std::to_string(preview->frame_width) + "x" +
                                    std::to_string(preview->frame_height)
                              : std::string("none yet: take an exposure from the imaging program");
    f["focuser_connected"] =
        focuser ? (focuser->connected() ? "yes" : focuser->connecting() ? "connecting" : "no") : "none";
    const nlohmann::json s = focuser ? focuser->status() : nlohmann::json{{"connected", false}};
    if (s.value("connected", false)) {
        f["focus_lens"] = s.value("lens_name", std::string()) + " (" + s.value("lens", std::string()) + ")" +
                          (s.value("generic_lens", false) ? ", generic profile: approximate" : "");
        // "of" MaxStep: the travel's whole units, as the focuser counts them
        f["focus_position"] = std::to_string(s.value("position", 0L)) + " of " +
                              fixed(std::floor(s.value("travel", 0.0) + 1e-9), 0) + " (target " +
                              std::to_string(s.value("target", 0L)) + ")";
        f["focus_estimate"] = fixed(s.value("estimate", 0.0), 1) + " ± " + fixed(s.value("uncertainty", 0.0), 1);
        f["focus_homed"] = std::string(s.value("homed", false) ? "yes" : "no") +
                           (s.value("homing_due", false) ? "; the next move homes first" : "");
        const std::string activity = s.value("activity", std::string("idle"));
        f["focus_activity"] = activity == "idle" ? activity
                                                 : activity + " " + std::to_string(s.value("steps_done", 0)) + "/" +
                                                       std::to_string(s.value("steps_total", 0)) + " steps";
        const std::string error = s.value("last_error", std::string());
        f["focus_error"] = error.empty() ? "none" : error;
    } else {
        const std::string why = "focuser not connected";
        for (const char* key : {"focus_lens", "focus_position", "focus_estimate", "focus_homed", "focus_activity"})
            f[key] = why;
        f["focus_error"] = s.value("last_error", std::string("none"));
    }
    return f;
}

std::string definition(const Json& fields, const char* id, const char* label) {
    return std::string("<dt>") + label + "</dt><dd id=\"f-" + id + "\">" +
           escape(fields.value(id, std::string())) + "</dd>";
}

std::string select(std::string_view name, const std::string& current,
                   const std::vector<std::pair<std::string, std::string>>& options) {
    std::string html = "<select id=\"s-" + std::string(name) + "\" name=\"" + std::string(name) + "\">";
    for (const auto& [value, text] : options)
        html += "<option value=\"" + escape(value) + "\"" + (value == current ? " selected" : "") + ">" + escape(text) +
                "</option>";
    return html + "</select>";
}

std::string textValue(const Json& document, std::string_view key) {
    const auto found = document.find(std::string(key));
    if (found == document.end()) return {};
    if (found->is_string()) return found->get<std::string>();
    return found->dump();
}

std::string hidden(const std::string& token) {
    return "<input type=\"hidden\" name=\"csrf\" value=\"" + token + "\">";
}

HttpResponse methodNotAllowed(const std::string& path, const char* allowed) {
    return {405, kText, path + " accepts " + allowed + " only\n", {}};
}

/// The preview's JPEG bytes, sent as they are kept (never compressed again by the transport).
class JpegSource final : public BodySource {
public:
    explicit JpegSource(std::shared_ptr<const FramePreview> preview) : preview_(std::move(preview)) {}
    std::size_t size() const noexcept override { return preview_->jpeg.size(); }
    std::span<const char> read(std::size_t offset, std::size_t max) override {
        if (offset >= preview_->jpeg.size()) throw std::out_of_range("read past the end of the preview");
        const auto* bytes = reinterpret_cast<const char*>(preview_->jpeg.data());
        return {bytes + offset, std::min(max, preview_->jpeg.size() - offset)};
    }

private:
    std::shared_ptr<const FramePreview> preview_;
};

/// One part of the page: its <section>, and its script (run after kScript; it registers the panel's
/// update with sonyalpaca.panel). A new panel is a function returning one of these, added in page().
struct Panel {
    std::string html;
    std::string_view script;
};

Panel statusPanel(const Json& fields) {
    std::string html = "<section id=\"status\"><h2>Status</h2><dl>";
    static constexpr std::pair<const char*, const char*> kRows[] = {
        {"server", "Server"},
        {"body", "Body"},
        {"body_state", "Body state"},
        {"camera_connected", "Camera connected"},
        {"focuser_connected", "Focuser connected"},
        {"lens_reported", "Lens (reported)"},
        {"temperature", "Temperature"},
        {"focus_lens", "Focus profile"},
        {"focus_position", "Position"},
        {"focus_estimate", "Estimate"},
        {"focus_homed", "Homed"},
        {"focus_activity", "Activity"},
        {"focus_error", "Last error"}};
    for (const auto& [key, label] : kRows) html += definition(fields, key, label);
    html += "</dl></section>";
    return {std::move(html), kStatusScript};
}

Panel previewPanel(const Json& fields, const FramePreview* preview) {
    std::string html = "<section id=\"last-frame\"><h2>Last frame</h2><p class=\"help\">The camera's last frame, "
                       "debayered and stretched for the eye (each colour from just below the sky to its brightest "
                       "0.1 %, asinh curve); it follows each new frame.</p>";
    if (preview) {
        const std::string number = std::to_string(preview->number);
        html += "<img id=\"preview-image\" class=\"preview\" alt=\"the last frame\" data-frame=\"" + number +
                "\" width=\"" + std::to_string(preview->width) + "\" height=\"" + std::to_string(preview->height) +
                "\" src=\"/setup/preview.jpg?frame=" + number + "\">";
    } else {
        html += "<img id=\"preview-image\" class=\"preview\" alt=\"the last frame\" data-frame=\"0\" hidden>";
    }
    html += "<p>Frame: <span id=\"f-last_frame\">" + escape(fields.value("last_frame", std::string())) +
            "</span></p></section>";
    return {std::move(html), kPreviewScript};
}

Panel focusPanel(const std::string& token, bool learning) {
    const std::string off = learning ? " disabled" : "";
    std::string html = "<section id=\"focus\"><h2>Focus</h2><p class=\"help\">One step of a size (1 smallest, 7 "
                       "largest) toward near or far. The focuser must be connected (from the imaging program).</p>"
                       "<form class=\"cmd\" data-out=\"focus-result\" method=\"post\" action=\"/setup/focuser/jog\">" +
                       hidden(token) + "<div>Near</div><div class=\"jog\">";
    for (int size = 7; size >= 1; --size)
        html += "<button name=\"step\" value=\"-" + std::to_string(size) + "\" id=\"jog-near-" +
                std::to_string(size) + "\"" + off + ">" + std::to_string(size) + "</button>";
    html += "</div><div>Far</div><div class=\"jog\">";
    for (int size = 1; size <= 7; ++size)
        html += "<button name=\"step\" value=\"" + std::to_string(size) + "\" id=\"jog-far-" + std::to_string(size) +
                "\"" + off + ">" + std::to_string(size) + "</button>";
    html += "</div></form><div class=\"row\"><form class=\"cmd inline\" data-out=\"focus-result\" method=\"post\" "
            "action=\"/setup/focuser/home\">" +
            hidden(token) +
            "<button id=\"home\"" + off + ">Home (infinity)</button></form><form class=\"cmd inline\" data-out=\"focus-result\" "
            "method=\"post\" action=\"/setup/focuser/halt\">" +
            hidden(token) + "<button id=\"halt\" class=\"stop\">Halt</button></form></div><p id=\"focus-result\"></p>"
            "</section>";
    return {std::move(html), {}};
}

/// What the wizard shows besides the focuser's learning status: the name learning takes without one
/// ("default_name"), whether the last learning finished ("done", with "hint") or failed ("error"),
/// and the learned profile the settings' lens field offers until a restart lists it ("learned_id",
/// "learned_option").
Json learnInfo(const nlohmann::json& focuser, const SetupContext& context) {
    const auto learning = learningOf(focuser);
    const bool connected = focuser.value("connected", false);
    const std::string reported = context.session ? context.session->reportedLens() : std::string();
    Json info;
    // As FocuserDevice::startLearning names it; not known before the focuser connects (its profile).
    info["default_name"] = !reported.empty() ? reported
                           : !connected      ? std::string()
                           : !focuser.value("generic_lens", false) ? focuser.value("lens", std::string())
                                                                   : std::string("learned-YYYYMMDD-HHMM");
    const bool active = learning.value("active", false);
    const std::string error = learning.value("error", std::string());
    info["error"] = active || error.empty() ? std::string()
                    : error == "cancelled"
                        ? std::string("Learning cancelled. The lens position is unknown now: the next move homes first.")
                        : "Learning failed: " + error;
    const std::string file = learning.value("profile_file", std::string());
    const bool done = !active && error.empty() && !learning.value("result", std::string()).empty();
    info["done"] = done;
    std::string hint;
    std::string learned_id;
    if (done && file.empty()) {
        hint = "The profile could not be saved (the log says why); the focuser uses it until the daemon stops.";
    } else if (done) {
        const std::string id = focuser.value("lens", std::string());
        hint = "The focuser uses this profile now, from the infinity end stop (Position = MaxStep).";
        if (namesLens(focuser, reported))
            hint += " It is named after the lens the body reports, so after a restart the focuser finds it for this "
                    "lens by itself (unless Settings → lens names another).";
        else
            hint += " It is not named after the lens the body reports (" +
                    (reported.empty() ? std::string("none reported yet") : reported) + "): choose \"" + id +
                    "\" in Settings → lens and Save to make it the default after a restart.";
        if (context.lenses && !context.lenses->find(id)) learned_id = id;
    }
    info["hint"] = hint;
    info["learned_id"] = learned_id;
    info["learned_option"] = learned_id.empty() ? std::string() : learned_id + " (learned now)";
    return info;
}

/// The profile the focuser learned since it connected (saved under the state directory's lenses/,
/// in the lens database from the next start), or empty.
std::string learnedLensId(const DeviceRegistry& registry) {
    const auto* focuser = deviceOf<FocuserDevice>(registry, "focuser");
    if (!focuser) return {};
    const auto status = focuser->status();
    if (learningOf(status).value("profile_file", std::string()).empty()) return {};
    return status.value("lens", std::string());
}

Panel learnPanel(const std::string& token, const nlohmann::json& focuser, const Json& info) {
    const auto learning = learningOf(focuser);
    const bool connected = focuser.value("connected", false);
    const bool active = learning.value("active", false);
    const int percent = learning.value("percent", 0);
    const std::string error = info.value("error", std::string());
    const bool done = info.value("done", false);
    std::string html =
        "<section id=\"learn\"><h2>Learn the lens</h2><p class=\"help\">Measures from the live view how far each "
        "focus step size moves this lens, and saves that as the lens's focus profile: for a lens without one, or to "
        "make one exact.</p><ol id=\"learn-steps\"><li>In daylight, point the camera at a still scene with fine "
        "detail (leaves, brickwork, a sign) about 20 m or more away, and keep the camera steady (a tripod).</li>"
        "<li>Set the lens to manual focus (MF) with the body's focus drive on, and connect the focuser from the "
        "imaging program.</li><li>Press Start and leave the camera alone for a few minutes: the lens drives between "
        "its end stops, back and forth. Cancel stops it.</li></ol>"
        "<div class=\"field\"><label for=\"learn-name\">Profile name (optional)</label><input id=\"learn-name\" "
        "name=\"name\" form=\"learn-form\" maxlength=\"100\" autocomplete=\"off\" placeholder=\"" +
        escape(info.value("default_name", std::string())) +
        "\"><div class=\"help\">Empty: named after the lens the body reports, else the profile in use, else the "
        "date and time.</div></div><div class=\"row\"><form id=\"learn-form\" class=\"cmd inline\" "
        "data-out=\"learn-result\" method=\"post\" action=\"/setup/focuser/learn\">" +
        hidden(token) + "<button id=\"learn-start\"" + (connected && !active ? "" : " disabled") +
        ">Start learning</button></form><form class=\"cmd inline\" data-out=\"learn-result\" method=\"post\" "
        "action=\"/setup/focuser/learn-cancel\">" +
        hidden(token) + "<button id=\"learn-cancel\" class=\"stop\"" + (active ? "" : " disabled") +
        ">Cancel</button></form></div><p id=\"learn-state\" class=\"help\"" + (connected ? " hidden" : "") +
        ">Start waits for the focuser: connect it from the imaging program first.</p><div id=\"learn-progress\"" +
        (active ? "" : " hidden") + "><progress id=\"learn-bar\" max=\"100\" value=\"" + std::to_string(percent) +
        "\"></progress><p><span id=\"learn-percent\">" + std::to_string(percent) +
        " %</span> · <span id=\"learn-phase\">" + escape(learning.value("phase", std::string())) +
        "</span>: <span id=\"learn-message\">" + escape(learning.value("message", std::string())) +
        "</span></p></div><div id=\"learn-done\" class=\"msg\"" + (done ? "" : " hidden") +
        "><p>Learned: <span id=\"learn-summary\">" + escape(learning.value("result", std::string())) +
        "</span></p><p>Saved to <code id=\"learn-file\">" + escape(learning.value("profile_file", std::string())) +
        "</code></p><p id=\"learn-hint\">" + escape(info.value("hint", std::string())) +
        "</p></div><p id=\"learn-error\" class=\"msg err\"" + (error.empty() ? " hidden" : "") + ">" +
        escape(error) + "</p><p id=\"learn-result\"></p></section>";
    return {std::move(html), kLearnScript};
}

Panel devicesPanel(const DeviceRegistry& registry) {
    std::string html =
        "<section id=\"devices\"><h2>Devices</h2><table><tr><th>Device</th><th>Name</th><th>UniqueID</th></tr>";
    for (const auto& entry : registry.entries())
        html += "<tr><td>" + escape(entry.device->deviceType()) + " " + std::to_string(entry.number) + "</td><td>" +
                escape(entry.device->deviceName()) + "</td><td>" + escape(entry.unique_id) + "</td></tr>";
    html += "</table></section>";
    return {std::move(html), {}};
}

Panel logPanel() {
    std::string lines;
    for (const auto& line : log::recentLines()) lines += line + "\n";
    return {"<section id=\"log\"><h2>Log</h2><pre id=\"log-lines\">" + escape(lines) + "</pre></section>", kLogScript};
}

/// A settings file read for the form: the JSON object, or what is wrong with it.
struct FormFile {
    Json document = Json::object();
    std::string problem;
};

/// "true"/"false" as the form's selects name them.
std::string shownValue(const config::SettingKey& key, const std::string& value) {
    if (key.type == config::SettingKey::Type::Bool) return value == "true" ? "yes" : value == "false" ? "no" : value;
    return value;
}
}  // namespace

SetupPages::SetupPages(const DeviceRegistry& registry, ServerDescription description, SetupContext context)
    : registry_(registry), description_(std::move(description)), context_(std::move(context)), token_(makeToken()) {}

HttpResponse SetupPages::handle(const HttpRequest& request) const noexcept {
    try {
        return route(request);
    } catch (const std::exception& e) {
        log::get("alpaca")->error("setup: {} {} from {} failed: {}", request.method, request.path, request.remote,
                                  e.what());
        return {500, kText, std::string("internal error: ") + e.what() + "\n", {}};
    } catch (...) {
        return {500, kText, "internal error\n", {}};
    }
}

HttpResponse SetupPages::route(const HttpRequest& request) const {
    const std::string& path = request.path;
    const bool get = request.method == "GET" || request.method == "HEAD";
    if (path == "/setup/focuser/jog" || path == "/setup/focuser/home" || path == "/setup/focuser/halt" ||
        path == "/setup/focuser/learn" || path == "/setup/focuser/learn-cancel" || path == "/setup/settings") {
        if (request.method != "POST") return methodNotAllowed(path, "POST");
        return post(request);
    }
    if (path == "/setup/status.json") {
        if (!get) return methodNotAllowed(path, "GET");
        return HttpResponse::json(statusJson());
    }
    if (path == "/setup/preview.jpg") {
        if (!get) return methodNotAllowed(path, "GET");
        return preview();
    }
    std::string title = description_.server_name + " setup";
    if (path != "/setup" && path != "/setup/") {
        // /setup/v1/{type}/{n}/setup
        const std::string prefix = "/setup/v1/";
        const auto rest = path.rfind(prefix, 0) == 0 ? path.substr(prefix.size()) : std::string();
        const auto slash = rest.find('/');
        const auto type = rest.substr(0, slash);
        const bool shaped = slash != std::string::npos && rest.size() >= slash + 8 && rest.ends_with("/setup");
        const std::string number = shaped ? rest.substr(slash + 1, rest.size() - 6 - slash - 1) : std::string();
        const Device* device = shaped && number == "0" ? registry_.find(type, 0) : nullptr;
        if (!shaped && rest.empty()) return {404, kText, "no setup page at " + path + "; see /setup\n", {}};
        if (!device)
            return {403, kHtml, "<!DOCTYPE html><html><body><p>No such device on this server.</p></body></html>\n", {}};
        title = std::string(device->deviceType()) + " 0: " + device->deviceName();
    }
    if (!get) return methodNotAllowed(path, "GET");
    return page(title, {}, false);
}

std::string SetupPages::statusJson() const {
    Json reply;
    reply["fields"] = statusFields(registry_, context_);
    const auto* focuser = deviceOf<FocuserDevice>(registry_, "focuser");
    nlohmann::json focus = focuser ? focuser->status() : nlohmann::json{{"connected", false}};
    focus["learning"] = learningOf(focus);
    reply["learn"] = learnInfo(focus, context_);
    reply["focuser"] = std::move(focus);
    const auto* camera = deviceOf<CameraDevice>(registry_, "camera");
    const auto preview = camera ? camera->preview() : nullptr;
    reply["preview"] =
        preview ? Json{{"number", preview->number}, {"width", preview->width}, {"height", preview->height}} : Json();
    reply["log"] = log::recentLines();
    return reply.dump(-1, ' ', false, Json::error_handler_t::replace);
}

HttpResponse SetupPages::page(const std::string& title, const std::string& message, bool error) const {
    const Json fields = statusFields(registry_, context_);
    const auto* camera = deviceOf<CameraDevice>(registry_, "camera");
    const auto preview = camera ? camera->preview() : nullptr;
    const auto* focuser = deviceOf<FocuserDevice>(registry_, "focuser");
    const nlohmann::json focus = focuser ? focuser->status() : nlohmann::json{{"connected", false}};
    const bool learning = learningOf(focus).value("active", false);
    const Panel panels[] = {statusPanel(fields),
                            previewPanel(fields, preview.get()),
                            focusPanel(token_, learning),
                            learnPanel(token_, focus, learnInfo(focus, context_)),
                            {settingsSection(), {}},
                            devicesPanel(registry_),
                            logPanel()};

    std::string html;
    html.reserve(20000);
    html += "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta name=\"theme-color\" content=\"#000000\"><title>" + escape(title) + "</title><style>" + kStyle +
            "</style></head><body>";
    html += "<h1>" + escape(title) + "</h1><p class=\"sub\">" + escape(description_.server_name) + " " +
            escape(description_.manufacturer_version) +
            (description_.location.empty() ? std::string() : " on " + escape(description_.location)) +
            " · <a href=\"/setup\">overview</a> · <a href=\"/setup/v1/camera/0/setup\">camera</a> · "
            "<a href=\"/setup/v1/focuser/0/setup\">focuser</a></p>";
    if (!message.empty())
        html += std::string("<p id=\"message\" class=\"msg") + (error ? " err" : "") + "\">" + escape(message) + "</p>";
    for (const auto& panel : panels) html += panel.html;
    html += std::string("<script>") + kScript;
    for (const auto& panel : panels) html += panel.script;
    html += "</script></body></html>\n";
    return {error ? 400 : 200, kHtml, std::move(html), {}};
}

std::string SetupPages::settingsSection() const {
    std::string html = "<section id=\"settings\"><h2>Settings</h2>";
    if (!context_.config_file)
        return html + "<p class=\"msg\">This server has no settings file, so this page cannot save settings; edit "
                      "the config file by hand.</p></section>";
    const auto& path = *context_.config_file;
    FormFile saved;
    try {
        saved.document = readConfig(path);
    } catch (const std::exception& e) {
        saved.problem = e.what();
    }
    FormFile base;  // comments allowed, as the daemon reads it
    if (context_.base_file) {
        std::error_code ec;
        if (std::filesystem::exists(*context_.base_file, ec)) {
            std::ifstream in(*context_.base_file);
            base.document = Json::parse(in, nullptr, false, /*ignore_comments=*/true);
            if (base.document.is_discarded() || !base.document.is_object()) {
                base.problem = context_.base_file->string() + " cannot be read as one JSON object";
                base.document = Json::object();
            }
        }
    }
    if (!saved.problem.empty()) html += "<p class=\"msg err\">" + escape(saved.problem) + "</p>";
    if (!base.problem.empty()) html += "<p class=\"msg err\">" + escape(base.problem) + "</p>";
    html += "<form id=\"settings-form\" method=\"post\" action=\"/setup/settings\">" + hidden(token_);
    for (const auto name : kFormKeys) {
        const config::SettingKey* key = schemaKey(name);
        if (!key) continue;
        const std::string current = textValue(saved.document, name);
        // What the key is when this file leaves it unset.
        const bool from_base = base.document.contains(std::string(name));
        const std::string inherited =
            from_base
                ? shownValue(*key, textValue(base.document, name)) + " (from " + context_.base_file->string() + ")"
                : shownValue(*key, std::string(key->default_text)) + " (default)";
        const std::string unset = "unset: " + inherited;
        html += "<div class=\"field\"><label for=\"s-" + std::string(name) + "\">" + std::string(name) + "</label>";
        if (name == "lens" && context_.lenses) {
            std::vector<std::pair<std::string, std::string>> options{{"", unset}};
            for (const auto& lens : context_.lenses->lenses())
                options.emplace_back(lens.model_id, lens.model_id + " — " + lens.name);
            if (const auto learned = learnedLensId(registry_); !learned.empty() && !context_.lenses->find(learned))
                options.emplace_back(learned, learned + " (learned now)");
            if (!current.empty() && std::none_of(options.begin(), options.end(),
                                                 [&](const auto& option) { return option.first == current; }))
                options.emplace_back(current, current);  // learned before this start, or from elsewhere: kept
            html += select(name, current, options);
        } else if (name == "focuser_homing") {
            html += select(name, current, {{"", unset}, {"every-connect", "every connect"},
                                           {"first-connect", "first connect"}, {"never", "never"}});
        } else if (name == "focuser_approach") {
            html += select(name, current, {{"", unset}, {"far", "far"}, {"near", "near"}, {"either", "either"}});
        } else if (name == "raw_type") {
            html += select(name, current, {{"", unset}, {"Uncompressed RAW", "Uncompressed RAW"},
                                           {"Compressed RAW", "Compressed RAW"}});
        } else if (key->type == config::SettingKey::Type::Bool) {
            html += select(name, current, {{"", unset}, {"false", "no"}, {"true", "yes"}});
        } else {
            html += "<input id=\"s-" + std::string(name) + "\" name=\"" + std::string(name) + "\" value=\"" +
                    escape(current) + "\" placeholder=\"" + escape(inherited) + "\"" +
                    (key->type == config::SettingKey::Type::Number ? " inputmode=\"decimal\"" : "") + ">";
        }
        html += "<div class=\"help\">" + escape(key->help) + "</div></div>";
    }
    html += "<p class=\"help\" id=\"settings-file\">Saved to <code>" + escape(path.string()) + "</code>";
    if (context_.base_file)
        html += ", the daemon's own settings file in its state directory: what it sets wins over <code>" +
                escape(context_.base_file->string()) +
                "</code>, and options on the daemon's command line win over both. \"unset\" or an empty field "
                "leaves a setting to that file or the default.";
    else
        html += " (the daemon's --config file). \"unset\" or an empty field means the default.";
    html += " Settings apply at the next start: <code>sudo systemctl restart sonyalpaca</code>.</p>"
            "<button id=\"save\">Save</button></form></section>";
    return html;
}

HttpResponse SetupPages::preview() const {
    const auto* camera = deviceOf<CameraDevice>(registry_, "camera");
    if (!camera) return {404, kText, "no camera on this server\n", {}};
    auto preview = camera->preview();
    if (!preview) return {404, kText, "no frame yet: take an exposure from the imaging program\n", {}};
    return HttpResponse::streamed("image/jpeg", std::make_shared<JpegSource>(std::move(preview)));
}

HttpResponse SetupPages::post(const HttpRequest& request) const {
    auto logger = log::get("alpaca");
    const auto form = parseUrlEncoded(request.body);
    const std::string* token = field(form, "csrf");
    if (!token || !sameToken(*token, token_)) {
        logger->warn("setup: {} from {} refused: missing or wrong form token", request.path, request.remote);
        return {403, kText, "refused: the form token is missing or wrong; reload the setup page and try again\n", {}};
    }
    const std::string host = text::asciiLower(request.host);
    const std::string& claimed = !request.origin.empty() ? request.origin : request.referer;
    if (!host.empty() && !claimed.empty() && hostOf(claimed) != host) {
        logger->warn("setup: {} from {} refused: it came from a page of {}, not of {}", request.path, request.remote,
                     claimed, request.host);
        return {403, kText, "refused: the request came from a page of another site\n", {}};
    }
    if (request.path == "/setup/settings") return saveSettings(request);
    const std::string command = request.path.substr(std::string("/setup/focuser/").size());
    if (command == "learn" || command == "learn-cancel") return learnCommand(request, command);
    return focusCommand(request, command);
}

HttpResponse SetupPages::answer(const HttpRequest& request, int status, const std::string& text) const {
    if (request.accept.find("text/html") != std::string::npos) {
        auto response = page(description_.server_name + " setup", text, status != 200);
        response.status = status;
        return response;
    }
    return {status, kText, text + "\n", {}};
}

HttpResponse SetupPages::focusCommand(const HttpRequest& request, const std::string& command) const {
    auto logger = log::get("alpaca");
    auto reply = [&](int status, const std::string& text) { return answer(request, status, text); };
    auto* device = deviceOf<FocuserDevice>(registry_, "focuser");
    const auto drive = device ? device->drive() : nullptr;
    if (!drive) return reply(409, "the focuser is not connected: connect it from the imaging program first");
    if (command == "home") {
        logger->info("setup: home requested from {}", request.remote);
        try {
            drive->home();
        } catch (const focus::FocuserBusy& e) {
            return reply(409, e.what());
        }
        return reply(200, "homing into the infinity end stop");
    }
    if (command == "halt") {
        logger->info("setup: halt requested from {}", request.remote);
        drive->halt();
        return reply(200, "halted at " + std::to_string(drive->position()));
    }
    const auto form = parseUrlEncoded(request.body);
    const std::string* step = field(form, "step");
    int value = 0;
    if (step && (step->size() == 1 || step->size() == 2)) {
        const bool negative = step->front() == '-';
        const char digit = step->back();
        if ((step->size() == 1 || negative) && digit >= '1' && digit <= '7') value = (negative ? -1 : 1) * (digit - '0');
    }
    if (value == 0) return reply(400, "a jog needs step=-7..-1 (near) or 1..7 (far)");
    if (drive->isMoving()) return reply(409, "the focuser is moving; wait or halt it first");
    const int size = value < 0 ? -value : value;
    const char* direction = value < 0 ? "near" : "far";
    logger->info("setup: jog {} by a step of size {} requested from {}", direction, size, request.remote);
    try {
        drive->jog(size, value < 0 ? -1 : 1);
    } catch (const focus::FocuserBusy& e) {
        return reply(409, e.what());
    }
    return reply(200, std::string("jogging ") + direction + " by one step of size " + std::to_string(size));
}

HttpResponse SetupPages::learnCommand(const HttpRequest& request, const std::string& command) const {
    auto logger = log::get("alpaca");
    auto reply = [&](int status, const std::string& text) { return answer(request, status, text); };
    auto* device = deviceOf<FocuserDevice>(registry_, "focuser");
    if (command == "learn-cancel") {
        const auto drive = device ? device->drive() : nullptr;
        if (!drive) return reply(409, "the focuser is not connected, so nothing is being learned");
        if (!drive->status().learning.active) return reply(200, "no lens learning is running");
        logger->info("setup: lens learning cancel requested from {}", request.remote);
        drive->halt();
        return reply(200, "lens learning cancelled; the lens position is unknown now, so the next move homes first");
    }
    const auto form = parseUrlEncoded(request.body);
    const std::string* given = field(form, "name");
    const std::string name = given ? text::trim(*given) : std::string();
    if (const std::string why = badLensName(name); !why.empty()) {
        logger->warn("setup: lens learning from {} refused: {}", request.remote, why);
        return reply(400, "not started: " + why);
    }
    if (!device) return reply(409, "not started: this server has no focuser");
    const auto drive = device->drive();
    if (!drive)
        return reply(409, "not started: the focuser is not connected; connect it from the imaging program first");
    logger->info("setup: lens learning{} requested from {}", name.empty() ? std::string() : " as \"" + name + "\"",
                 request.remote);
    std::string started;
    try {
        started = device->startLearning(name);
    } catch (const AlpacaError& e) {
        logger->warn("setup: lens learning from {} not started: {}", request.remote, e.what());
        std::string why = e.what();
        if (why.rfind("Action learn: ", 0) == 0) why.erase(0, 14);
        return reply(e.code() == ErrorCode::InvalidValue ? 400 : 409, "not started: " + why);
    }
    // The name chosen by the rules, as the device's answer says it: learning lens "NAME": ...
    const std::string prefix = "learning lens \"";
    const auto end = started.find("\": ");
    const std::string chosen = started.rfind(prefix, 0) == 0 && end != std::string::npos
                                   ? started.substr(prefix.size(), end - prefix.size())
                                   : name;
    return reply(200, "learning the lens" + (chosen.empty() ? std::string() : " as \"" + chosen + "\"") +
                          ": keep the camera still and pointed at the scene; it takes a few minutes, the progress "
                          "shows below. Cancel stops it.");
}

HttpResponse SetupPages::saveSettings(const HttpRequest& request) const {
    auto logger = log::get("alpaca");
    const std::string title = description_.server_name + " setup";
    auto refuse = [&](const std::string& why) {
        logger->warn("setup: settings from {} refused: {}", request.remote, why);
        return page(title, "Not saved: " + why, true);
    };
    if (!context_.config_file) return refuse("this server has no settings file to save to");
    const auto& path = *context_.config_file;
    Json document;
    try {
        document = readConfig(path);
    } catch (const std::exception& e) {
        return refuse(e.what());
    }
    const std::string saved_lens = textValue(document, "lens");
    for (const auto& [name, text] : parseUrlEncoded(request.body)) {
        if (name == "csrf") continue;
        bool offered = false;
        for (const auto key : kFormKeys) offered = offered || key == name;
        const config::SettingKey* key = offered ? schemaKey(name) : nullptr;
        if (!key) return refuse("\"" + name + "\" is not a setting this page changes");
        if (text.empty()) {
            document.erase(name);  // unset: the base file's value or the default
            continue;
        }
        try {
            document[name] = toJson(config::parseOptionText(*key, text));
        } catch (const std::invalid_argument& e) {
            return refuse(name + ": " + e.what());
        }
    }
    try {
        config::Settings check;
        config::applyJson(check, document, path.string());
        if (context_.lenses && !check.lens.empty() && !context_.lenses->find(check.lens) &&
            check.lens != learnedLensId(registry_) && check.lens != saved_lens)
            throw config::ConfigError("lens: \"" + check.lens + "\" is not in the lens profiles; allowed: " +
                                      context_.lenses->modelIds());
    } catch (const config::ConfigError& e) {
        return refuse(e.what());
    }
    try {
        config::writeFileAtomically(path, document.dump(2) + "\n");
    } catch (const std::exception& e) {
        logger->error("setup: cannot save the settings to {}: {}", path.string(), e.what());
        auto response = page(title, "Not saved: cannot write " + path.string() + ": " + e.what(), true);
        response.status = 500;
        return response;
    }
    logger->info("setup: settings saved to {} from {}: {}", path.string(), request.remote, document.dump());
    return page(title, "Saved to " + path.string() + ". They apply at the next start: sudo systemctl restart sonyalpaca",
                false);
}

}  // namespace sonyalpaca::alpaca
