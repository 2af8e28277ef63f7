// Entry point: read the settings the build wrote into index.html and start the app.
import "./styles.css";
import { mountApp } from "./app";
import { readSettings } from "./settings";

const root = document.getElementById("app");
if (!root) throw new Error('index.html has no element with id "app"');
void mountApp(root, readSettings(document));
