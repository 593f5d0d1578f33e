<?php

namespace Drupal\Core\Condition\Annotation;

use Drupal\Component\Annotation\Plugin;

/**
 * Defines a condition plugin annotation object.
 *
 * Plugin namespace: Plugin\Condition. The Condition attribute is the preferred way
 * to declare these plugins; this annotation is read for code not yet
 * converted.
 *
 * @Annotation
 */
class Condition extends Plugin {

  /**
   * The plugin ID.
   *
   * @var string
   */
  public $id;

  /**
   * The human-readable name of the plugin.
   *
   * @var \Drupal\Core\Annotation\Translation
   *
   * @ingroup plugin_translatable
   */
  public $label = '';

}
