<?php

namespace Drupal\faq_manager\Form;

use Drupal\Core\Form\FormBase;
use Drupal\Core\Form\FormStateInterface;

/**
 * Switches the FAQ page between the accordion and the plain list layout.
 */
class FaqDisplayForm extends FormBase {

  /**
   * {@inheritdoc}
   */
  public function getFormId() {
    return 'faq_manager_display';
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state) {
    $config = \Drupal::config('faq_manager.settings');
    $form['layout'] = [
      '#type' => 'radios',
      '#title' => $this->t('Layout'),
      '#options' => [
        'accordion' => $this->t('Accordion: answers open when the question is clicked'),
        'list' => $this->t('List: all answers are visible'),
      ],
      '#default_value' => $config->get('layout'),
    ];
    $form['actions']['#type'] = 'actions';
    $form['actions']['submit'] = [
      '#type' => 'submit',
      '#value' => $this->t('Save layout'),
      '#button_type' => 'primary',
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state) {
    $layout = $form_state->getValue('layout');
    \Drupal::service('config.factory')->getEditable('faq_manager.settings')
      ->set('layout', $layout)
      ->save();

    // The layouts use different templates and stylesheets.
    drupal_theme_rebuild();
    _drupal_flush_css_js();

    \Drupal::logger('faq_manager')->notice('FAQ layout changed to %layout.', ['%layout' => $layout]);
    \Drupal::messenger()->addStatus($this->t('The FAQ page now uses the %layout layout.', ['%layout' => $layout]));
  }

}
