<?xml version="1.0" encoding="UTF-8"?>
<!--
  rewrite-paths: replaces path prefixes by a map: in every nvpair value, in bundle storage mappings
  (source-dir and source-dir-root: the host side; target-dir is inside the container and is left
  alone), in a bundle container's options (such as a host log path), and in alert paths and
  recipients.

  Parameters:
    path_map       "/srv/siteA=/srv/siteB,/mnt/a=/mnt/b"
    path_map_file  an XML map file <map><entry from="/srv/siteA" to="/srv/siteB"/>…</map>

  A prefix matches whole path components: /srv/siteA rewrites /srv/siteA and /srv/siteA/data, not
  /srv/siteAB or /opt/srv/siteA. It is found anywhere in a value where a path can start (at the
  start, or after a blank, '=', ',', ':' …), so "-c /srv/siteA/app.conf" is rewritten too. The
  longest matching prefix wins, and all entries apply at once.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:include href="lib/map.xsl"/>
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:param name="path_map" select="''"/>
  <xsl:param name="path_map_file" select="''"/>

  <xsl:variable name="map">
    <xsl:call-template name="map-build">
      <xsl:with-param name="pairs" select="$path_map"/>
      <xsl:with-param name="file" select="$path_map_file"/>
      <xsl:with-param name="kind" select="'path'"/>
      <xsl:with-param name="what" select="'path_map'"/>
    </xsl:call-template>
  </xsl:variable>

  <xsl:template match="@*|node()">
    <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
  </xsl:template>

  <!-- Matched by attribute name alone, and decided inside (see rewrite-ip.xsl). -->
  <xsl:template match="@value | @path | @source-dir | @source-dir-root | @options">
    <xsl:choose>
      <xsl:when test="(name() = 'value' and (parent::nvpair or parent::recipient) and contains(., '/'))
                      or (name() = 'path' and parent::alert)
                      or ((name() = 'source-dir' or name() = 'source-dir-root') and parent::storage-mapping)
                      or (name() = 'options' and (parent::docker or parent::podman or parent::rkt))">
        <xsl:attribute name="{name()}">
          <xsl:call-template name="map-replace-prefixes">
            <xsl:with-param name="text" select="string(.)"/>
            <xsl:with-param name="map" select="string($map)"/>
          </xsl:call-template>
        </xsl:attribute>
      </xsl:when>
      <xsl:otherwise><xsl:copy/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
