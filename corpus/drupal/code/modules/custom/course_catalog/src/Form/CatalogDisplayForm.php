<?php

namespace Drupal\course_catalog\Form;

use Drupal\Core\Form\FormBase;
use Drupal\Core\Form\FormStateInterface;

/**
 * Chooses how the course catalog page lays out its courses.
 */
class CatalogDisplayForm extends FormBase {

  /**
   * {@inheritdoc}
   */
  public function getFormId() {
    return 'course_catalog_display';
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state) {
    $config = \Drupal::config('course_catalog.settings');

    $form['layout'] = [
      '#type' => 'radios',
      '#title' => $this->t('Layout'),
      '#options' => [
        'grid' => $this->t('Grid of cards'),
        'list' => $this->t('Compact list'),
      ],
      '#default_value' => $config->get('display.layout'),
    ];
    $form['show_seats'] = [
      '#type' => 'checkbox',
      '#title' => $this->t('Show how many seats are left'),
      '#default_value' => $config->get('display.show_seats'),
    ];
    $form['actions']['#type'] = 'actions';
    $form['actions']['submit'] = [
      '#type' => 'submit',
      '#value' => $this->t('Save display settings'),
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state) {
    $config = \Drupal::service('config.factory')->getEditable('course_catalog.settings');
    $layout_changed = $config->get('display.layout') !== $form_state->getValue('layout');

    $config
      ->set('display.layout', $form_state->getValue('layout'))
      ->set('display.show_seats', (bool) $form_state->getValue('show_seats'))
      ->save();

    if ($layout_changed) {
      // The list layout uses its own template suggestion.
      drupal_theme_rebuild();
      \Drupal::logger('course_catalog')->info('Catalog layout changed to %layout by %user.', [
        '%layout' => $form_state->getValue('layout'),
        '%user' => \Drupal::currentUser()->getAccountName(),
      ]);
    }
    \Drupal::messenger()->addStatus($this->t('The catalog display settings have been saved.'));
  }

}
