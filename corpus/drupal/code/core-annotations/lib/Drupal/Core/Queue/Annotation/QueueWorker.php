<?php

namespace Drupal\Core\Queue\Annotation;

use Drupal\Component\Annotation\Plugin;

/**
 * Defines a queue worker annotation object.
 *
 * Plugin namespace: Plugin\QueueWorker. The QueueWorker attribute is the preferred way
 * to declare these plugins; this annotation is read for code not yet
 * converted.
 *
 * @Annotation
 */
class QueueWorker extends Plugin {

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
  public $title = '';

}
