package dev.flotilla.service.web;

/** The filters of the machines page, echoed back into its form and into its next page's link. */
public record MachineFilter(String selector, String presence, String q, String error) {
    public String nextQuery(String cursor) {
        StringBuilder sb = new StringBuilder("?cursor=").append(enc(cursor));
        if (selector != null && !selector.isBlank()) {
            sb.append("&selector=").append(enc(selector));
        }
        if (presence != null && !presence.isBlank()) {
            sb.append("&presence=").append(enc(presence));
        }
        if (q != null && !q.isBlank()) {
            sb.append("&q=").append(enc(q));
        }
        return sb.toString();
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
