/* Platform widgets: scoped unit picker, region cascade, lazy unit tree. No inline script. */
(function ($) {
  "use strict";

  // Chinese date pickers: set before FAB's ab.js initialises them on DOM ready.
  if ($.fn.datepicker) {
    $.fn.datepicker.dates["zh-CN"] = {
      days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
      daysShort: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
      daysMin: ["日", "一", "二", "三", "四", "五", "六"],
      months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"],
      monthsShort: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"],
      today: "今天", clear: "清除", monthsTitle: "选择月份", weekStart: 1,
      titleFormat: "yyyy年mm月"
    };
    var loc = $("meta[name=platform-locale]").attr("content") || "zh";
    $.fn.datepicker.defaults.language = loc === "en" ? "en" : "zh-CN";
    $.fn.datepicker.defaults.todayHighlight = true;
    $.fn.datepicker.defaults.autoclose = true;
  }

  // FAB's and select2's own English strings, in Chinese when the page is (issue 15.6)
  var zh = ($("meta[name=platform-locale]").attr("content") || "zh") !== "en";
  if (zh && $.fn.select2 && $.fn.select2.defaults) {
    $.fn.select2.defaults.set("language", {
      removeAllItems: function () { return "清除全部"; },
      removeItem: function () { return "删除"; },
      noResults: function () { return "无匹配结果"; },
      searching: function () { return "正在搜索…"; },
      loadingMore: function () { return "正在加载…"; },
      errorLoading: function () { return "加载失败"; },
      inputTooShort: function (a) { return "请再输入" + (a.minimum - a.input.length) + "个字"; },
      inputTooLong: function (a) { return "请删除" + (a.input.length - a.maximum) + "个字"; },
      maximumSelected: function (a) { return "最多只能选择" + a.maximum + "项"; }
    });
  }
  if (zh && typeof window.ab_alert === "function") {
    var fabAlert = window.ab_alert;
    var texts = { "No row selected": "请先选择记录" };
    window.ab_alert = function (text) { return fabAlert(texts[text] || text); };
  }

  function initUnitSelect() {
    $("select.unit-select").each(function () {
      var $el = $(this);
      $el.select2({
        theme: "bootstrap",
        allowClear: true,
        placeholder: $el.data("placeholder") || "",
        minimumInputLength: 0,
        language: {
          noResults: function () { return $el.data("noresults") || "无匹配单位"; },
          searching: function () { return "正在搜索…"; },
          loadingMore: function () { return "正在加载…"; },
          errorLoading: function () { return "加载失败"; }
        },
        ajax: {
          url: $el.data("endpoint"),
          dataType: "json",
          delay: 250,
          data: function (params) { return { q: params.term || "", page: params.page || 1 }; },
          processResults: function (data) { return data; }
        }
      });
    });
  }

  function initRegion() {
    $(".region-field").each(function () {
      var $box = $(this);
      var endpoint = $box.data("endpoint");
      var chain = String($box.data("chain") || "").split(",").filter(Boolean);
      var $hidden = $box.find("input[type=hidden]");
      var $levels = $box.find("select.region-level");

      function fill(level, parent, selected) {
        var $sel = $levels.eq(level);
        $sel.empty().append($("<option>").val("").text("—"));
        for (var i = level + 1; i < $levels.length; i++) {
          $levels.eq(i).empty().hide();
        }
        var url = endpoint + (parent ? "?parent=" + encodeURIComponent(parent) : "");
        return $.getJSON(url).then(function (items) {
          if (!items.length) { $sel.hide(); return; }
          $sel.show();
          items.forEach(function (it) {
            $sel.append($("<option>").val(it.code).text(it.name));
          });
          if (selected) { $sel.val(selected); }
        });
      }

      $levels.on("change", function () {
        var level = Number($(this).data("level"));
        var code = $(this).val();
        $hidden.val(code || (level > 0 ? $levels.eq(level - 1).val() : ""));
        if (code && level + 1 < $levels.length) { fill(level + 1, code, null); }
        else {
          for (var i = level + 1; i < $levels.length; i++) { $levels.eq(i).empty().hide(); }
        }
      });

      fill(0, null, chain[0]).then(function () {
        if (chain[0]) {
          return fill(1, chain[0], chain[1]).then(function () {
            if (chain[1]) { return fill(2, chain[1], chain[2]); }
          });
        }
      });
    });
  }

  function initTree() {
    var $tree = $("#unit-tree");
    if (!$tree.length) { return; }
    var childrenUrl = String($tree.data("children-url")).replace(/0$/, "");
    var showUrl = String($tree.data("show-url")).replace(/0$/, "");

    function node(item) {
      var $li = $("<li>").addClass("tree-node").attr("data-id", item.id)
        .attr("data-has-children", item.has_children ? 1 : 0);
      $("<span>").addClass("tree-toggle").text(item.has_children ? "▸" : "·").appendTo($li);
      $("<a>").attr("href", showUrl + item.id).text(item.name).appendTo($li);
      return $li;
    }

    function load($li, offset) {
      var id = $li.data("id");
      var $ul = $li.children("ul");
      if (!$ul.length) { $ul = $("<ul>").appendTo($li); }
      $ul.find("> li.tree-more").remove();
      $.getJSON(childrenUrl + id, { offset: offset || 0 }).done(function (data) {
        if (!data.items.length && !offset) {
          $("<li>").addClass("text-muted").text($tree.data("empty-label")).appendTo($ul);
        }
        data.items.forEach(function (it) { $ul.append(node(it)); });
        if (data.more) {
          $("<li>").addClass("tree-more").append(
            $("<a href='#'>").text($tree.data("more-label")).on("click", function (e) {
              e.preventDefault(); load($li, data.next);
            })
          ).appendTo($ul);
        }
        $li.addClass("loaded open");
      }).fail(function () {
        $("<li>").addClass("text-danger").text($tree.data("error-label")).appendTo($ul);
      });
    }

    $tree.on("click", ".tree-toggle", function () {
      var $li = $(this).closest("li.tree-node");
      if (String($li.attr("data-has-children")) !== "1") { return; }
      if (!$li.hasClass("loaded")) { load($li, 0); $(this).text("▾"); return; }
      $li.toggleClass("open");
      $li.children("ul").toggle($li.hasClass("open"));
      $(this).text($li.hasClass("open") ? "▾" : "▸");
    });
  }

  function initCommonOpinions() {
    $("select.common-opinion").on("change", function () {
      var text = $(this).val();
      if (text) { $("#" + $(this).data("target")).val(text); }
    });
  }

  function initBatchReview() {
    // the list's row check boxes travel with the batch review form
    $("form.review-batch-form").on("submit", function () {
      var $form = $(this);
      $form.find("input.batch-row").remove();
      $("input.action_check:checked").each(function () {
        $("<input type='hidden' name='rowid' class='batch-row'>").val($(this).val()).appendTo($form);
      });
    });
  }

  function initCharts() {
    if (typeof window.echarts === "undefined") { return; }
    $(".echart").each(function () {
      var el = this;
      var chart = window.echarts.init(el);
      chart.showLoading({ text: "加载中…" });
      $.getJSON($(el).data("url")).then(function (option) {
        chart.hideLoading();
        chart.setOption(option);
      }, function () {
        chart.hideLoading();
        $(el).text("数据加载失败");
      });
      $(window).on("resize", function () { chart.resize(); });
    });
  }

  function initJob() {
    var $box = $(".job-box");
    if (!$box.length) { return; }
    var labels = $box.find(".job-state").data("labels") || {};
    function poll() {
      $.getJSON($box.data("status-url")).then(function (st) {
        $box.find(".job-state").text(labels[st.state] || st.state);
        $box.find(".progress-bar").css("width", st.percent + "%").text(st.percent + "%")
          .toggleClass("active", st.state === "running");
        $box.find(".job-count").text("已处理" + st.progress + " / " + st.total + "条");
        if (st.message) { $box.find(".job-message").text(st.message); }
        if (st.has_result) { $box.find(".job-download").removeClass("hidden"); }
        if (st.link) { $box.find(".job-link").attr("href", st.link).removeClass("hidden"); }
        if (st.state === "queued" || st.state === "running") { window.setTimeout(poll, 1000); }
      });
    }
    poll();
  }

  $(function () {
    initJob();
    initCharts();
    initBatchReview();
    initCommonOpinions();
    initUnitSelect();
    initRegion();
    initTree();
  });
})(jQuery);
