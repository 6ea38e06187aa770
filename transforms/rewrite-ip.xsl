<?xml version="1.0" encoding="UTF-8"?>
<!--
  rewrite-ip: replaces IPv4 and IPv6 addresses by a map, wherever a configuration carries one:
  every nvpair value (IPaddr/IPaddr2 "ip", the old positional parameter "1", ping host_list,
  URLs in option strings …), alert recipient values, bundle network ip-range-start, and a bundle
  container's image (a registry address) and options (add-host, publish ADDRESS:PORT …).

  Parameters:
    ip_map       "from=to,from=to", e.g. "10.0.0.10=10.1.0.10,2001:db8::1=2001:db8:1::1"
    ip_map_file  an XML map file <map><entry from="10.0.0.10" to="10.1.0.10"/>…</map>
                 (absolute path; a relative one is taken relative to this stylesheet)

  An address is replaced only where it stands alone (10.0.0.1 is not touched inside 10.0.0.12),
  all entries at once (a swap map works), IPv6 hex digits case-insensitively. IPv6 keys must be
  written in the same textual form as in the configuration (2001:db8::1 does not match
  2001:0db8:0:0::1); `cibsync transform lint` compares addresses, not text, and reports such misses.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:include href="lib/map.xsl"/>
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:param name="ip_map" select="''"/>
  <xsl:param name="ip_map_file" select="''"/>

  <xsl:variable name="map">
    <xsl:call-template name="map-build">
      <xsl:with-param name="pairs" select="$ip_map"/>
      <xsl:with-param name="file" select="$ip_map_file"/>
      <xsl:with-param name="kind" select="'ip'"/>
      <xsl:with-param name="what" select="'ip_map'"/>
    </xsl:call-template>
  </xsl:variable>

  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>

  <!-- Matched by attribute name alone, and decided inside: a pattern predicate costs
       xslt-processor a search of the whole document per node (50 times slower on 40 primitives),
       while libxslt looks attribute names up in a hash either way (docs/transforms.md). Only values
       that can hold an address (a '.' or a ':') are scanned. -->
  <xsl:template match="@value | @ip-range-start | @image | @options">
    <xsl:choose>
      <xsl:when test="(name() = 'value' and (parent::nvpair or parent::recipient) and (contains(., '.') or contains(., ':')))
                      or (name() = 'ip-range-start' and parent::network)
                      or ((name() = 'image' or name() = 'options') and (parent::docker or parent::podman or parent::rkt))">
        <xsl:attribute name="{name()}">
          <xsl:call-template name="map-replace-tokens">
            <xsl:with-param name="text" select="string(.)"/>
            <xsl:with-param name="map" select="string($map)"/>
            <xsl:with-param name="kind" select="'ip'"/>
          </xsl:call-template>
        </xsl:attribute>
      </xsl:when>
      <xsl:otherwise><xsl:copy/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
