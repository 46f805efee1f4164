package dev.flotilla.service.web;

/** The filters of the machines page, echoed back into its form and into its next page's link. */
public record MachineFilter(String selector, String presence, String q, String error) {
    /** The next page's link without its cursor: {@code /machines?selector=…&} (the pager tag adds it). */
    public String pagerBase() {
        return Query.of("/machines")
                .add("selector", selector)
                .add("presence", presence)
                .add("q", q)
                .base();
    }
}
