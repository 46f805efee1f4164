package dev.flotilla.service.web;

/** The filters of the machines page, echoed back into its form and into its next page's link. */
public record MachineFilter(String selector, String presence, String q, String os, String agent, String error) {
    /** The filters without an error. */
    public MachineFilter(String selector, String presence, String q, String os, String agent) {
        this(selector, presence, q, os, agent, null);
    }

    /** The same filters, refused for {@code error}. */
    public MachineFilter refused(String error) {
        return new MachineFilter(selector, presence, q, os, agent, error);
    }

    /** The next page's link without its cursor: {@code /machines?selector=…&} (the pager tag adds it). */
    public String pagerBase() {
        return Query.of("/machines")
                .add("selector", selector)
                .add("presence", presence)
                .add("q", q)
                .add("os", os)
                .add("agent", agent)
                .base();
    }
}
