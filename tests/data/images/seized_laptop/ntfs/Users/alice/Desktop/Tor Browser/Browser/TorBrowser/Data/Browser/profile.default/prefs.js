// Mozilla User Preferences

user_pref("app.update.lastUpdateTime.background-update-timer", 1559840741);
user_pref("browser.security_level.security_slider", 2);
user_pref("extensions.torbutton.lastBrowserVersion", "8.5.1");
user_pref("extensions.torlauncher.prompt_at_startup", false);
user_pref("extensions.torbutton.security_custom", false);
user_pref("places.history.enabled", false);
