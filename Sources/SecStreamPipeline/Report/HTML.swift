/// Text made safe for HTML: every alert field, group value and sample event
/// can be written by an attacker (a user name of `<script>`), so everything
/// that is not the page's own markup goes through `escape`.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for s in text.unicodeScalars {
            switch s {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters (other than tab and newline) are shown, not passed on.
                if s.value < 0x20 && s != "\n" && s != "\t" || (0x7F...0x9F).contains(s.value) {
                    out += "\\u{" + String(s.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(s)
                }
            }
        }
        return out
    }
}
