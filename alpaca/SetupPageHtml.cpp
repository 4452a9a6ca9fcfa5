// SPDX-License-Identifier: GPL-3.0-or-later
// The setup page itself: its markup, night-colour CSS and scripts, one builder per panel, and the
// settings form. Only renders; the routing and the POST handlers are in SetupPages.cpp.
#include "alpaca/CameraDevice.hpp"
#include "alpaca/FocuserDevice.hpp"
#include "alpaca/SetupPagesParts.hpp"
#include "config/Log.hpp"
#include "config/RawTypes.hpp"

#include <algorithm>
#include <fstream>
#include <utility>
#include <vector>

namespace sonyalpaca::alpaca {
using namespace setup;

namespace {
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
.live{position:relative;max-width:640px}.live img{display:block;width:100%;height:auto;border:1px solid #411;touch-action:manipulation}
.night{filter:grayscale(1) sepia(1) saturate(10) hue-rotate(-35deg) brightness(.6)}
#live-box{position:absolute;border:1px solid #f44;pointer-events:none}
#live-mag{width:128px;height:128px;image-rendering:pixelated;border:1px solid #622;background:#080000}
.figure{font-size:2em;line-height:1.1;color:#f55}#live-trend{width:200px;height:48px;border:1px solid #411;display:block}
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

/// The Body panel: the low-battery and overheating warnings show while status.json says so (its
/// text fields are filled by the status script).
constexpr const char* kBodyScript = R"js(
(function(){
var warn=document.getElementById('battery-warning'),hot=document.getElementById('overheat-warning');if(!warn)return;
sonyalpaca.panel({update:function(s){
 warn.hidden=!(s.battery&&s.battery.low);
 hot.hidden=!(s.body_temperature&&s.body_temperature.overheat==='overheating');
}});
})();
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

/// Loads the preview again when status.json names a newer frame, and shows the frame's figures
/// (status.json's "framestats", at first the panel's data-figures): stars, HFR, background, clipped,
/// and the histograms on a canvas (counts on a log scale; R solid and brightest, G dashed, B dotted).
constexpr const char* kPreviewScript = R"js(
(function(){
var sa=sonyalpaca,$=function(id){return document.getElementById(id);};
var img=$('preview-image');if(!img)return;
var shown=Number(img.getAttribute('data-frame')||0);
sa.panel({update:function(s){
 var p=s.preview;if(!p||p.number===shown)return;
 shown=p.number;img.src='/setup/preview.jpg?frame='+p.number;img.hidden=false;img.setAttribute('data-frame',p.number);
}});
var box=$('framestats');if(!box)return;
var drawn=-1;
var fixed=function(v,d){return Number(v).toFixed(d);};
var draw=function(h){
 var c=$('fs-histogram');if(!c||!c.getContext)return;
 var g=c.getContext('2d'),w=c.width,ht=c.height,most=1;
 g.clearRect(0,0,w,ht);
 var lines=[['red','#e44',[]],['green','#a22',[5,3]],['blue','#722',[1,3]]];
 lines.forEach(function(l){(h[l[0]]||[]).forEach(function(v){if(v>most)most=v;});});
 var scale=Math.log(1+most);
 lines.forEach(function(l){
  var bins=h[l[0]]||[],n=bins.length;if(!n)return;
  g.strokeStyle=l[1];g.lineWidth=1.5;if(g.setLineDash)g.setLineDash(l[2]);g.beginPath();
  for(var i=0;i<n;++i){var x=(i+0.5)*w/n,y=ht-1-(ht-3)*Math.log(1+bins[i])/scale;if(i)g.lineTo(x,y);else g.moveTo(x,y);}
  g.stroke();
 });
 sa.text('fs-axis','0 to '+(h.bin_width_adu*(h.red||[]).length)+' ADU in bins of '+h.bin_width_adu+
  '; photosites per bin on a log scale: R solid, G dashed, B dotted');
};
var show=function(f){
 $('fs-figures').hidden=!f;$('fs-none').hidden=!!f;
 if(!f||f.frame===drawn)return;
 drawn=f.frame;
 sa.text('fs-stars',f.stars+' ('+f.measured_stars+' measured, '+f.saturated_stars+' saturated)');
 sa.text('fs-hfr',f.median_hfr_px===null?'no star to measure':fixed(f.median_hfr_px,2)+' px'+
  (f.median_hfr_arcsec===null?' (arc-seconds: set focal_length_mm)':' = '+fixed(f.median_hfr_arcsec,2)+'″'));
 sa.text('fs-background',fixed(f.background_adu,1)+' ± '+fixed(f.noise_adu,1)+' ADU');
 sa.text('fs-clipped',fixed(100*f.clipped_fraction,3)+' %');
 sa.text('fs-frame','frame #'+f.frame+' in '+fixed(f.cost_ms,0)+' ms');
 draw(f.histogram||{});
};
try{show(JSON.parse(box.getAttribute('data-figures')||'null'));}catch(e){}
sa.panel({update:function(s){show(s.framestats);}});
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

/// The live view: Start/Stop, then one frame request after another (each waits for a newer frame;
/// the frame becomes a blob: URL the image shows), a tap picks the spot the 1:1 magnifier shows and
/// the server measures the focus figure of; the figure, the best so far and the trend of the last
/// 60 frames. It follows status.json's "live" (another page may have started it; an exposure pauses it).
constexpr const char* kLiveScript = R"js(
(function(){
var sa=sonyalpaca,$=function(id){return document.getElementById(id);};
var img=$('live-image');if(!img)return;
var box=$('live-box'),mag=$('live-mag'),trend=$('live-trend'),token=$('live-token').value;
var on=false,asking=false,last=0,px=0.5,py=0.5,tapped=false,shown=null,figures=[],best=null,said=null;
var show=function(t){sa.text('live-state',t);};
function place(){
 if(!shown||!img.clientWidth)return;var k=img.clientWidth/shown.naturalWidth,side=128*k;
 box.style.width=side+'px';box.style.height=side+'px';
 box.style.left=(px*img.clientWidth-side/2)+'px';box.style.top=(py*img.clientHeight-side/2)+'px';
}
function magnify(){
 var c=mag.getContext('2d');c.imageSmoothingEnabled=false;c.fillStyle='#080000';c.fillRect(0,0,128,128);
 if(shown)c.drawImage(shown,Math.round(px*shown.naturalWidth)-64,Math.round(py*shown.naturalHeight)-64,128,128,0,0,128,128);
}
function plot(f){
 figures.push(f);if(figures.length>60)figures.shift();
 if(best===null||f>best)best=f;
 sa.text('live-figure',f.toFixed(1));sa.text('live-best',best.toFixed(1));
 var c=trend.getContext('2d'),w=trend.width,h=trend.height,lo=Math.min.apply(null,figures),hi=Math.max.apply(null,figures);
 c.fillStyle='#080000';c.fillRect(0,0,w,h);if(hi<=lo)hi=lo+1;
 c.strokeStyle='#e44';c.lineWidth=2;c.beginPath();
 for(var i=0;i<figures.length;++i){var x=i*(w-1)/59,y=h-2-(figures[i]-lo)*(h-4)/(hi-lo);if(i)c.lineTo(x,y);else c.moveTo(x,y);}
 c.stroke();
}
function frame(r){
 last=Number(r.headers.get('X-Live-Frame'))||last;var f=Number(r.headers.get('X-Focus-Figure'));
 return r.blob().then(function(b){return new Promise(function(done){
  var u=URL.createObjectURL(b),next=new Image();  // decoded off the page, then shown: no blank moment between frames
  next.onload=function(){img.src=u;if(shown)URL.revokeObjectURL(shown.src);shown=next;img.hidden=false;
   img.setAttribute('data-frame',last);place();magnify();if(!isNaN(f))plot(f);done();};
  next.onerror=function(){URL.revokeObjectURL(u);done();};next.src=u;});});
}
function ask(){
 if(!on||asking)return;asking=true;
 var q='/setup/live.jpg?after='+last+'&x='+px.toFixed(4)+'&y='+py.toFixed(4)+(tapped?'&tap=1':'');tapped=false;
 fetch(q,{cache:'no-store'}).then(function(r){
  var state=r.headers.get('X-Live-State');if(state)show(state);
  if(r.status===200)return frame(r);
  if(r.status===204)return;
  if(r.status===503)return new Promise(function(d){setTimeout(d,1000);});
  on=false;return r.text().then(function(t){show(t.trim());});
 }).catch(function(){show('no answer from the server');return new Promise(function(d){setTimeout(d,1000);});})
 .then(function(){asking=false;ask();});
}
function command(what){
 var data=new URLSearchParams();data.append('csrf',token);
 return fetch('/setup/live/'+what,{method:'POST',body:data}).then(function(r){return r.text().then(function(t){
  show(t.trim());if(what==='start'&&r.ok){on=true;ask();}if(what==='stop')on=false;sa.refresh();});});
}
$('live-start').addEventListener('click',function(){command('start');});
$('live-stop').addEventListener('click',function(){on=false;command('stop');});
img.addEventListener('click',function(ev){
 var rect=img.getBoundingClientRect();
 px=Math.min(1,Math.max(0,(ev.clientX-rect.left)/rect.width));py=Math.min(1,Math.max(0,(ev.clientY-rect.top)/rect.height));
 tapped=true;figures=[];best=null;place();magnify();
});
window.addEventListener('resize',place);
sa.panel({update:function(s){
 var l=s.live||{},active=l.state==='starting'||l.state==='running'||l.state==='paused';
 sa.text('live-fps',l.state==='running'?l.fps+' frames/s':'');
 if(!asking&&l.message!==said){said=l.message;show(l.message||'');}  // a command's answer stays until it changes
 if(active&&!on){on=true;ask();}
 $('live-start').disabled=active;$('live-stop').disabled=!active;
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

std::string definition(const Json& fields, const char* id, const char* label) {
    return std::string("<dt>") + label + "</dt><dd id=\"f-" + id + "\">" + escape(fields.value(id, std::string())) +
           "</dd>";
}

std::string select(std::string_view name, const std::string& current,
                   const std::vector<std::pair<std::string, std::string>>& options) {
    std::string html = "<select id=\"s-" + std::string(name) + "\" name=\"" + std::string(name) + "\">";
    for (const auto& [value, text] : options)
        html += "<option value=\"" + escape(value) + "\"" + (value == current ? " selected" : "") + ">" + escape(text) +
                "</option>";
    return html + "</select>";
}

std::string hidden(const std::string& token) { return "<input type=\"hidden\" name=\"csrf\" value=\"" + token + "\">"; }

/// One part of the page: its <section>, and its script (run after kScript; it registers the panel's
/// update with sonyalpaca.panel). A new panel is a function returning one of these, added in page().
struct Panel {
    std::string html;
    std::string_view script;
};

Panel statusPanel(const Json& fields) {
    std::string html = "<section id=\"status\"><h2>Status</h2><dl>";
    static constexpr std::pair<const char*, const char*> kRows[] = {{"server", "Server"},
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

Panel bodyPanel(const Json& fields, const Json& health) {
    const bool low = health["battery"].value("low", false);
    const bool hot = health["body_temperature"].value("overheat", std::string()) == "overheating";
    std::string html = "<section id=\"body-health\"><h2>Body</h2><p id=\"battery-warning\" class=\"msg err\"" +
                       std::string(low ? "" : " hidden") + "><span id=\"f-battery_warning\">" +
                       escape(fields.value("battery_warning", std::string())) +
                       "</span></p><p id=\"overheat-warning\" class=\"msg err\"" + (hot ? "" : " hidden") +
                       ">The body is overheating and may stop shooting: give it a pause (shorter sequences, live "
                       "view off) and shade it if the sun is on it.</p><dl>";
    static constexpr std::pair<const char*, const char*> kRows[] = {{"battery", "Battery"},
                                                                    {"power_source", "Power"},
                                                                    {"card", "Memory card"},
                                                                    {"remaining_shots", "Shots left"},
                                                                    {"body_temperatures", "Temperatures"},
                                                                    {"overheat", "Overheating"},
                                                                    {"health_read", "Read at"}};
    for (const auto& [key, label] : kRows) html += definition(fields, key, label);
    html += "</dl><p class=\"help\">As the body reports them, read every 10 s while it is idle; the temperatures "
            "come from the last frame's maker notes.</p></section>";
    return {std::move(html), kBodyScript};
}

Panel previewPanel(const Json& fields, const FramePreview* preview, const Json& figures) {
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
    html += "<p>Frame: <span id=\"f-last_frame\">" + escape(fields.value("last_frame", std::string())) + "</span></p>";
    // The figures: kPreviewScript fills them in from data-figures (as status.json's "framestats").
    html += "<div id=\"framestats\" data-figures=\"" +
            escape(figures.dump(-1, ' ', false, Json::error_handler_t::replace)) +
            "\"><p id=\"fs-none\" class=\"help\">Stars, HFR and background come with the first frame.</p>"
            "<div id=\"fs-figures\" hidden><dl><dt>Stars</dt><dd id=\"fs-stars\"></dd><dt>Median HFR</dt>"
            "<dd id=\"fs-hfr\"></dd><dt>Background</dt><dd id=\"fs-background\"></dd><dt>Clipped</dt>"
            "<dd id=\"fs-clipped\"></dd><dt>Measured</dt><dd id=\"fs-frame\"></dd></dl>"
            "<canvas id=\"fs-histogram\" class=\"preview\" style=\"margin-top:.4em\" width=\"320\" height=\"80\" "
            "aria-label=\"histogram of the last frame per colour\"></canvas><p id=\"fs-axis\" class=\"help\"></p>"
            "<p class=\"help\">HFR: the flux-weighted mean distance from each star's centre (as N.I.N.A. measures "
            "it), median over unsaturated, isolated stars. Background and noise: the 2x2 cells' median and "
            "spread above black.</p></div></div></section>";
    return {std::move(html), kPreviewScript};
}

/// On the overview: where the live view is.
Panel liveLinkPanel() {
    return {"<section id=\"live-link\"><h2>Live view</h2><p><a id=\"open-live\" href=\"/setup/live\">Open the "
            "live view</a>: the body's live view for framing and focusing, with a 1:1 magnifier, a focus figure and "
            "the focus jog.</p></section>",
            {}};
}

Panel livePanel(const std::string& token, const nlohmann::json& live) {
    std::string html =
        "<section id=\"live\"><h2>Live view</h2><p class=\"help\">The body's live view, for framing and rough "
        "focus, in red to keep your eyes dark-adapted. Tap the image to magnify that spot 1:1 (a bright star, or an "
        "edge): the focus figure is measured "
        "there; jog toward the higher number. It stops when this page closes or after a few minutes without a tap "
        "or a jog, and pauses while an exposure runs.</p><input type=\"hidden\" id=\"live-token\" value=\"" +
        token +
        "\"><div class=\"row\"><button id=\"live-start\">Start</button><button id=\"live-stop\" "
        "class=\"stop\">Stop</button></div><p><span id=\"live-state\">" +
        escape(live.value("message", std::string("off: press Start"))) +
        "</span> <span id=\"live-fps\"></span></p><div class=\"live\"><img id=\"live-image\" class=\"night\" alt=\"the "
        "live view\" data-frame=\"0\" hidden><div id=\"live-box\"></div></div><div class=\"row\"><canvas "
        "id=\"live-mag\" class=\"night\" width=\"128\" height=\"128\"></canvas><div><div class=\"help\">Focus figure "
        "(higher "
        "is sharper)</div><div id=\"live-figure\" class=\"figure\">–</div><div class=\"help\">best <span "
        "id=\"live-best\">–</span> since the last tap</div><canvas id=\"live-trend\" width=\"200\" "
        "height=\"48\"></canvas></div></div></section>";
    return {std::move(html), kLiveScript};
}

Panel focusPanel(const std::string& token, bool learning) {
    const std::string off = learning ? " disabled" : "";
    std::string html = "<section id=\"focus\"><h2>Focus</h2><p class=\"help\">One step of a size (1 smallest, 7 "
                       "largest) toward near or far. The focuser must be connected (from the imaging program).</p>"
                       "<form class=\"cmd\" data-out=\"focus-result\" method=\"post\" action=\"/setup/focuser/jog\">" +
                       hidden(token) + "<div>Near</div><div class=\"jog\">";
    for (int size = 7; size >= 1; --size)
        html += "<button name=\"step\" value=\"-" + std::to_string(size) + "\" id=\"jog-near-" + std::to_string(size) +
                "\"" + off + ">" + std::to_string(size) + "</button>";
    html += "</div><div>Far</div><div class=\"jog\">";
    for (int size = 1; size <= 7; ++size)
        html += "<button name=\"step\" value=\"" + std::to_string(size) + "\" id=\"jog-far-" + std::to_string(size) +
                "\"" + off + ">" + std::to_string(size) + "</button>";
    html += "</div></form><div class=\"row\"><form class=\"cmd inline\" data-out=\"focus-result\" method=\"post\" "
            "action=\"/setup/focuser/home\">" +
            hidden(token) + "<button id=\"home\"" + off +
            ">Home (infinity)</button></form><form class=\"cmd inline\" data-out=\"focus-result\" "
            "method=\"post\" action=\"/setup/focuser/halt\">" +
            hidden(token) +
            "<button id=\"halt\" class=\"stop\">Halt</button></form></div><p id=\"focus-result\"></p>"
            "</section>";
    return {std::move(html), {}};
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
        "</p></div><p id=\"learn-error\" class=\"msg err\"" + (error.empty() ? " hidden" : "") + ">" + escape(error) +
        "</p><p id=\"learn-result\"></p></section>";
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

HttpResponse SetupPages::page(const std::string& title, const std::string& message, bool error, Page kind) const {
    const Json fields = statusFields(registry_, context_);
    const auto* camera = deviceOf<CameraDevice>(registry_, "camera");
    const auto preview = camera ? camera->preview() : nullptr;
    const auto* focuser = deviceOf<FocuserDevice>(registry_, "focuser");
    const nlohmann::json focus = focuser ? focuser->status() : nlohmann::json{{"connected", false}};
    const bool learning = learningOf(focus).value("active", false);
    std::vector<Panel> panels;
    if (kind == Page::Live) {
        if (live_)
            panels.push_back(livePanel(token_, live_->status()));
        else
            panels.push_back({"<p class=\"msg err\">This server has no body, so it has no live view.</p>", {}});
        panels.push_back(focusPanel(token_, learning));
        panels.push_back(bodyPanel(fields, healthStatus(context_)));
        panels.push_back(statusPanel(fields));
    } else {
        panels = {statusPanel(fields),
                  bodyPanel(fields, healthStatus(context_)),
                  liveLinkPanel(),
                  previewPanel(fields, preview.get(), frameFigures(camera)),
                  focusPanel(token_, learning),
                  learnPanel(token_, focus, learnInfo(focus, context_)),
                  {settingsSection(), {}},
                  devicesPanel(registry_),
                  logPanel()};
    }

    std::string html;
    html.reserve(20000);
    html += "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta name=\"theme-color\" content=\"#000000\"><title>" +
            escape(title) + "</title><style>" + kStyle + "</style></head><body>";
    html += "<h1>" + escape(title) + "</h1><p class=\"sub\">" + escape(description_.server_name) + " " +
            escape(description_.manufacturer_version) +
            (description_.location.empty() ? std::string() : " on " + escape(description_.location)) +
            " · <a href=\"/setup\">overview</a> · <a href=\"/setup/live\">live view</a> · "
            "<a href=\"/setup/v1/camera/0/setup\">camera</a> · <a href=\"/setup/v1/focuser/0/setup\">focuser</a></p>";
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
        const std::string inherited = from_base ? shownValue(*key, textValue(base.document, name)) + " (from " +
                                                      context_.base_file->string() + ")"
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
            html += select(name, current,
                           {{"", unset},
                            {"every-connect", "every connect"},
                            {"first-connect", "first connect"},
                            {"never", "never"}});
        } else if (name == "focuser_approach") {
            html += select(name, current, {{"", unset}, {"far", "far"}, {"near", "near"}, {"either", "either"}});
        } else if (name == "raw_type") {
            std::vector<std::pair<std::string, std::string>> options{
                {"", unset}, {"Uncompressed RAW", "Uncompressed RAW"}, {"Compressed RAW", "Compressed RAW (lossy)"}};
            // Offered where this process's LibRaw decodes it (0.21: Debian 13, Raspberry Pi OS trixie).
            if (config::decodesSonyLossless())
                options.emplace_back("Lossless Compressed RAW", "Lossless Compressed RAW");
            html += select(name, current, options);
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

}  // namespace sonyalpaca::alpaca
